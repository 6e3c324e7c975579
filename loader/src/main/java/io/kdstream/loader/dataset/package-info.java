/** Dataset readers: IDX (MNIST, Fashion-MNIST), CIFAR binary and folders of PNG/JPEG images. */
package io.kdstream.loader.dataset;
