/**
 * How a kdstream process shares its cores between PyTorch and the data path: PyTorch's intra-op threads
 * ({@link io.kdstream.tuning.EngineThreads}), OpenMP spinning ({@link io.kdstream.tuning.EngineSpin}), the
 * scheduling policy of the data path's threads ({@link io.kdstream.tuning.DataPathPriority}), the threads DJL work
 * runs on ({@link io.kdstream.tuning.DjlThreads}), and per-thread CPU for the benches
 * ({@link io.kdstream.tuning.ThreadCpu}). Process settings, read once at start-up; measurements in
 * docs/PERFORMANCE.md.
 */
package io.kdstream.tuning;
