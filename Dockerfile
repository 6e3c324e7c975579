# kdstream images, one Dockerfile with two runtime targets:
#   docker build --target cpu -t kdstream:cpu .   every service, PyTorch on the CPU (libtorch from the Maven jar)
#   docker build --target gpu -t kdstream:gpu .   teacher-service and student-trainer on NVIDIA GPUs (CUDA 12.8)
# docker-compose.yml builds both. The entry point is the kdstream command: `run loader|augmenter|teacher|student`,
# `engine` (lists the GPUs the engine sees), `teacher swap`, `dataset prepare`, ... Settings come from KDS_* variables;
# the images set none (compose and `docker run -e` do), so every command of an image starts clean.
#
# Base images are build arguments. Their defaults are the official images users pull; a machine without Docker Hub
# builds the same file from Debian stand-ins (docker/offline/Dockerfile, docker/cluster-test does this):
#   docker build --target cpu --build-arg BUILD_IMAGE=kdstream-offline/maven --build-arg RUNTIME_IMAGE=kdstream-offline/jre .
# The runtime stages need apt-get and useradd (Debian or Ubuntu bases).
ARG BUILD_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-jammy
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---- build: the Maven reactor, tests skipped (CI runs them) ----
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package \
 && mkdir -p /out/lib \
 && cp app/target/kdstream-app-*.jar app/target/lib/*.jar /out/lib/

# ---- cpu: every service ----
FROM ${RUNTIME_IMAGE} AS cpu
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home kdstream \
 && mkdir -p /datasets /models /checkpoints /opt/djl /run/kdstream \
 && chown kdstream /datasets /checkpoints /opt/djl /run/kdstream
ENV DJL_CACHE_DIR=/opt/djl ENGINE_CACHE_DIR=/opt/djl
COPY --from=build /out/lib /opt/kdstream/lib
COPY teachers /opt/kdstream/teachers
COPY docker/kdstream docker/kdstream-run-id /usr/local/bin/
USER kdstream
# unpacks libtorch from the Maven jar into the image once and checks that it computes
RUN kdstream engine --device=cpu
EXPOSE 9400
ENTRYPOINT ["kdstream"]
CMD ["--help"]

# ---- gpu: teacher-service and student-trainer on CUDA ----
# DJL 0.35.1's JNI for libtorch 2.7.1 ships a cu128 build in pytorch-jni; libtorch itself comes from pytorch.org
# (DJL no longer publishes CUDA native jars on Maven Central) and is found through PYTORCH_LIBRARY_PATH.
FROM ${CUDA_IMAGE} AS gpu
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu128/libtorch-cxx11-abi-shared-with-deps-2.7.1%2Bcu128.zip
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl unzip ca-certificates \
 && curl -fsSL -o /tmp/libtorch.zip "$LIBTORCH_URL" && unzip -q /tmp/libtorch.zip -d /opt && rm /tmp/libtorch.zip \
 && apt-get purge -y unzip && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home kdstream \
 && mkdir -p /datasets /models /checkpoints /opt/djl /run/kdstream \
 && chown kdstream /datasets /checkpoints /opt/djl /run/kdstream
ENV PYTORCH_LIBRARY_PATH=/opt/libtorch/lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128 \
    DJL_CACHE_DIR=/opt/djl ENGINE_CACHE_DIR=/opt/djl
COPY --from=build /out/lib /opt/kdstream/lib
RUN rm -f /opt/kdstream/lib/pytorch-native-cpu-*.jar
COPY teachers /opt/kdstream/teachers
COPY docker/kdstream docker/kdstream-run-id /usr/local/bin/
USER kdstream
EXPOSE 9400
ENTRYPOINT ["kdstream"]
CMD ["engine"]
