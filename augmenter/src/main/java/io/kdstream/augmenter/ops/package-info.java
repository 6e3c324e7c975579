/** The augmentation math: inception crop, antialiased resize, mixup, cutmix and mixed targets. */
package io.kdstream.augmenter.ops;
