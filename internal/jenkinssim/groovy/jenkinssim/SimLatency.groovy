package jenkinssim

// How long the simulated controller's slow neighbours take (--realm-latency, --save-latency,
// POST /__sim/latency): the directory behind the security realm answers each lookup after
// realmNanos, the disk (or NFS share) under $JENKINS_HOME takes saveNanos to write a user record.
// A real directory or disk makes the calling thread wait, so the simulator sleeps on it: other
// requests go on meanwhile (no lock of the simulator's own is held for it, only the caller's).
class SimLatency {
    static volatile long realmNanos = 0
    static volatile long saveNanos = 0
    /** The start options: POST /__sim/reset returns to them. */
    static long startRealmNanos = 0
    static long startSaveNanos = 0

    /** One round trip to the directory; counted as "realmLookup" in /__sim/stats. */
    static void realmLookup() {
        SimServer.count('realmLookup')
        pause(realmNanos)
    }

    /** One write of a user record to the disk. */
    static void userSave() {
        pause(saveNanos)
    }

    static void reset() {
        realmNanos = startRealmNanos
        saveNanos = startSaveNanos
    }

    /** Milliseconds (fractions allowed, >= 0) as nanoseconds; null for anything else. */
    static Long nanosOf(Object ms) {
        if (!(ms instanceof Number) || ((Number) ms).doubleValue() < 0 || ((Number) ms).doubleValue() > 3_600_000d) {
            return null
        }
        (long) Math.round(((Number) ms).doubleValue() * 1_000_000d)
    }

    static Map describe() {
        [realm_ms: realmNanos / 1_000_000d, save_ms: saveNanos / 1_000_000d]
    }

    private static void pause(long nanos) {
        if (nanos > 0) {
            Thread.sleep(nanos.intdiv(1_000_000L) as long, (int) (nanos % 1_000_000L))
        }
    }
}
