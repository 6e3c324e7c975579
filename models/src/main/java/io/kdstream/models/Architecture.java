package io.kdstream.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/** The network families kdstream can build, for teachers and students alike. */
public enum Architecture {
    /**
     * A plain CNN: three stages of {@code depth} x (3x3 conv, batch norm, ReLU) with {@code width}, 2 x width and
     * 4 x width channels, 2x2 max-pooling between stages, global average pooling and a linear classifier.
     * Width 32, depth 2 has about 290k parameters; width 8, depth 1 about 12k.
     */
    CNN {
        @Override
        Block build(ModelSpec spec) {
            SequentialBlock net = new SequentialBlock();
            int ch = spec.width();
            for (int stage = 0; stage < 3; stage++) {
                for (int d = 0; d < spec.depth(); d++) {
                    net.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                                    .setFilters(ch).optBias(false).build())
                            .add(BatchNorm.builder().build())
                            .add(Activation.reluBlock());
                }
                if (stage < 2) {
                    net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
                }
                ch *= 2;
            }
            return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(spec.classes()).build());
        }
    };

    /** Builds an uninitialised block for the spec. */
    abstract Block build(ModelSpec spec);
}
