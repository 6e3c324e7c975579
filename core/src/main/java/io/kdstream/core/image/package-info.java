/** Image geometry shared by the stages: crop boxes and the antialiased bilinear resampler. */
package io.kdstream.core.image;
