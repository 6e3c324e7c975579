package io.kdstream.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.List;

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
            return head(net, spec);
        }
    },

    /**
     * A bottleneck ResNet for small images: a stem (one 3x3 convolution of {@code width} channels, or three with
     * tweak C; inputs of 64 px and more are also downsampled 4x in the stem, as on ImageNet), then three stages of
     * {@code depth} bottleneck blocks (1x1 reduce, 3x3, 1x1 expand x4) with 4w, 8w and 16w output channels, the second
     * and third starting with a stride-2 block, then global average pooling and a linear classifier. Tweaks B, C, D
     * and zero-gamma as in {@link Tweak}. Width 8, depth 1 has about 31k parameters; width 16, depth 2 about 250k.
     */
    RESNET {
        @Override
        Block build(ModelSpec spec) {
            SequentialBlock net = new SequentialBlock();
            int w = spec.width();
            boolean big = spec.size() >= 64;
            if (spec.tweaks().contains(Tweak.C)) {
                int half = Math.max(1, w / 2);
                net.add(convBnAct(half, 3, big ? 2 : 1, 1, false)).add(convBnAct(half, 3, 1, 1, false))
                        .add(convBnAct(w, 3, 1, 1, false));
            } else {
                net.add(convBnAct(w, 3, big ? 2 : 1, 1, false));
            }
            if (big) {
                net.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
            }
            int in = w;
            for (int stage = 0; stage < 3; stage++) {
                int mid = w << stage;
                for (int d = 0; d < spec.depth(); d++) {
                    int stride = stage > 0 && d == 0 ? 2 : 1;
                    net.add(bottleneck(in, mid, 4 * mid, stride, spec));
                    in = 4 * mid;
                }
            }
            return head(net, spec);
        }
    },

    /**
     * A MobileNetV2-style network of inverted residual blocks: a 3x3 stem of {@code width} channels, then three
     * stages of {@code depth} blocks (1x1 expansion x4, 3x3 depthwise, 1x1 linear projection; a residual connection
     * when shape allows) with w, 2w and 4w channels, the second and third starting with stride 2, then global average
     * pooling and a linear classifier. ReLU6 activations; zero-gamma applies to the projection's batch norm.
     */
    MOBILENET {
        @Override
        Block build(ModelSpec spec) {
            SequentialBlock net = new SequentialBlock();
            int w = spec.width();
            boolean big = spec.size() >= 64;
            net.add(convBnAct(w, 3, big ? 2 : 1, 1, true));
            int in = w;
            for (int stage = 0; stage < 3; stage++) {
                int out = w << stage;
                for (int d = 0; d < spec.depth(); d++) {
                    int stride = (stage > 0 || big) && d == 0 ? 2 : 1;
                    net.add(invertedResidual(in, out, 4, stride, spec));
                    in = out;
                }
            }
            return head(net, spec);
        }
    };

    /** Builds an uninitialised block for the spec. */
    abstract Block build(ModelSpec spec);

    private static Block head(SequentialBlock net, ModelSpec spec) {
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(spec.classes()).build());
    }

    private static Block conv(int filters, int kernel, int stride, int groups) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2)).setFilters(filters).optGroups(groups).optBias(false)
                .build();
    }

    /** A batch norm; with {@code zeroGamma} its scale starts at 0. */
    static BatchNorm batchNorm(boolean zeroGamma) {
        BatchNorm bn = BatchNorm.builder().build();
        if (zeroGamma) {
            bn.setInitializer(new ConstantInitializer(0f), Parameter.Type.GAMMA);
        }
        return bn;
    }

    private static SequentialBlock convBnAct(int filters, int kernel, int stride, int groups, boolean relu6) {
        return new SequentialBlock().add(conv(filters, kernel, stride, groups)).add(batchNorm(false))
                .add(relu6 ? Activation.relu6Block() : Activation.reluBlock());
    }

    /** Adds a residual branch to a shortcut; {@code relu} after the sum (ResNet) or not (MobileNetV2). */
    private static Block residual(Block branch, Block shortcut, boolean relu) {
        return new ParallelBlock(list -> {
            NDList sum = new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow()));
            return relu ? Activation.relu(sum) : sum;
        }, List.of(branch, shortcut));
    }

    private static Block bottleneck(int in, int mid, int out, int stride, ModelSpec spec) {
        boolean b = spec.tweaks().contains(Tweak.B);
        SequentialBlock branch = new SequentialBlock()
                .add(convBnAct(mid, 1, b ? 1 : stride, 1, false))
                .add(convBnAct(mid, 3, b ? stride : 1, 1, false))
                .add(conv(out, 1, 1, 1)).add(batchNorm(spec.tweaks().contains(Tweak.ZERO_GAMMA)));
        return residual(branch, shortcut(in, out, stride, spec.tweaks().contains(Tweak.D)), true);
    }

    /**
     * The shortcut of a block from {@code in} to {@code out} channels: identity when nothing changes, else a 1x1
     * projection with batch norm; downsampling by a strided 1x1 convolution, or with tweak D by 2x2 average pooling
     * before a stride-1 1x1 convolution (so no input pixel is skipped).
     */
    static Block shortcut(int in, int out, int stride, boolean tweakD) {
        if (stride == 1 && in == out) {
            return Blocks.identityBlock();
        }
        SequentialBlock s = new SequentialBlock();
        if (tweakD && stride > 1) {
            s.add(Pool.avgPool2dBlock(new Shape(stride, stride), new Shape(stride, stride), new Shape(0, 0), true));
            s.add(conv(out, 1, 1, 1));
        } else {
            s.add(conv(out, 1, stride, 1));
        }
        return s.add(batchNorm(false));
    }

    private static Block invertedResidual(int in, int out, int expansion, int stride, ModelSpec spec) {
        int hidden = in * expansion;
        SequentialBlock branch = new SequentialBlock()
                .add(convBnAct(hidden, 1, 1, 1, true))
                .add(convBnAct(hidden, 3, stride, hidden, true))
                .add(conv(out, 1, 1, 1)).add(batchNorm(spec.tweaks().contains(Tweak.ZERO_GAMMA)));
        return stride == 1 && in == out ? residual(branch, Blocks.identityBlock(), false) : branch;
    }
}
