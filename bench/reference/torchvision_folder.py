#!/usr/bin/env python3
"""The usual PyTorch input pipeline, as `kdstream bench data` measures it next to kdstream's loader -> augmenter.

    python3 bench/reference/torchvision_folder.py ROOT [--workers N] [--batch B] [--epochs E] [--size S]

ImageFolder + RandomResizedCrop(S) + RandomHorizontalFlip + ToTensor, a DataLoader with N worker processes
(default: one per core) and shuffling; each worker runs PyTorch with one thread. Prints one line,
`reference: <images/s> images/s over <n> images`, timed from the first batch to the last (the first batch's images not counted), after one warm-up pass
over min(512, len) images. On Debian: apt-get install python3-torchvision.
"""
import argparse
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--size", type=int, default=224)
    a = ap.parse_args()
    try:
        import torch
        from torch.utils.data import DataLoader, Subset
        from torchvision import datasets, transforms
    except ImportError as e:
        sys.exit(f"reference: {e}; on Debian: apt-get install python3-torchvision")
    torch.set_num_threads(1)
    tf = transforms.Compose([transforms.RandomResizedCrop(a.size), transforms.RandomHorizontalFlip(),
                             transforms.ToTensor()])
    ds = datasets.ImageFolder(a.root, tf)

    def loader(d):
        return DataLoader(d, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                          worker_init_fn=lambda _: torch.set_num_threads(1), persistent_workers=False)

    for _ in loader(Subset(ds, range(min(512, len(ds))))):
        pass
    n = 0
    t0 = None
    for _ in range(a.epochs):
        for x, _y in loader(ds):
            if t0 is None:  # the clock starts at the first batch; its images are not counted
                t0 = time.perf_counter()
                continue
            n += x.shape[0]
    dt = time.perf_counter() - t0
    print(f"reference: {n / dt:.1f} images/s over {n} images", flush=True)


if __name__ == "__main__":
    main()
