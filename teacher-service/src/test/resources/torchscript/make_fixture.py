"""Makes the TorchScript teacher fixture for TorchScriptTeacherTest.

Run with Debian's python3-torch (1.13): /usr/bin/python3 make_fixture.py (in this directory)
Writes tiny_cnn.pt (a traced 2-conv CNN, seed 0) and tiny_cnn_expected.txt: the logits PyTorch computes for the
deterministic input below, one row per image, which the Java test must reproduce through DJL.
"""
import torch

torch.manual_seed(0)


class TinyCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.conv2 = torch.nn.Conv2d(4, 8, 3, padding=1, stride=2)
        self.fc = torch.nn.Linear(8, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.conv2(x))
        x = x.mean(dim=(2, 3))
        return self.fc(x)


model = TinyCnn()
# give batch norm non-trivial running statistics, then freeze
with torch.no_grad():
    model.bn1.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3, 0.05]))
    model.bn1.running_var.copy_(torch.tensor([1.5, 0.5, 2.0, 1.0]))
model.eval()

# the same pixels the Java test builds: value(n, y, x) = (n * 11 + y * 7 + x * 3) % 256, scaled to 0..1
pixels = torch.tensor([[[[(n * 11 + y * 7 + x * 3) % 256 for x in range(28)] for y in range(28)]]
                       for n in range(3)], dtype=torch.float32)
inputs = pixels / 255.0

traced = torch.jit.trace(model, inputs)
traced.save("tiny_cnn.pt")
with torch.no_grad():
    logits = traced(inputs)
with open("tiny_cnn_expected.txt", "w") as f:
    f.write("# logits printed by PyTorch %s for make_fixture.py's input, one image per line\n" % torch.__version__)
    for row in logits:
        f.write(" ".join("%.7f" % v for v in row.tolist()) + "\n")
print(open("tiny_cnn_expected.txt").read())
