package io.kdstream.tuning;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few C library calls the engine settings need (Linux, through JNA). */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    /** {@code param} is {@code struct sched_param} (one int, 0 for {@code SCHED_IDLE}). */
    int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

    int setenv(String name, String value, int overwrite) throws LastErrorException;

    String getenv(String name);
}
