/** The augmenter stage: one shared crop per sample, mixing per batch, exactly the view the teacher labels. */
package io.kdstream.augmenter;
