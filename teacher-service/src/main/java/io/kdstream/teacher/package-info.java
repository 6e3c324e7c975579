/** The teacher stage: a frozen teacher (kdstream or TorchScript) labels exactly the view the student trains on. */
package io.kdstream.teacher;
