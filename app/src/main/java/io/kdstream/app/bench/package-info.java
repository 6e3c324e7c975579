/**
 * {@code kdstream bench}: the measurements behind docs/PERFORMANCE.md, each side by side in one run: the data path
 * against its broker's raw rate and torchvision's DataLoader ({@link io.kdstream.app.bench.DataBench}), the student
 * and teacher through Kafka against from memory ({@link io.kdstream.app.bench.TrainBench}), teacher replicas'
 * scaling ({@link io.kdstream.app.bench.ScaleBench}), and the 224 px test images they read.
 */
package io.kdstream.app.bench;
