package jenkins.security.apitoken

import hudson.model.Saveable
import hudson.model.User
import jenkinssim.SimClock
import jenkinssim.SimDisk

import java.time.temporal.ChronoUnit

// Usage counters per token uuid, kept apart from the user snapshot (apiTokenStats.xml) and
// written on every update, only once the user has been saved at least once.
class ApiTokenStats implements Saveable, Serializable {
    private static final long serialVersionUID = 1L

    private List<SingleTokenStats> tokenStats = new ArrayList<SingleTokenStats>()
    private transient User user

    private static boolean enabled() {
        ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
    }

    synchronized void removeId(String tokenUuid) {
        if (enabled()) {
            tokenStats.removeAll { SingleTokenStats s -> s.tokenUuid == tokenUuid }
            save()
        }
    }

    synchronized void removeAll() {
        tokenStats.clear()
        save()
    }

    synchronized void removeAllExcept(String tokenUuid) {
        tokenStats.removeAll { SingleTokenStats s -> s.tokenUuid != tokenUuid }
        save()
    }

    SingleTokenStats updateUsageForId(String tokenUuid) {
        if (!enabled()) {
            return new SingleTokenStats(tokenUuid)
        }
        synchronized (this) {
            SingleTokenStats s = findOrCreate(tokenUuid)
            s.notifyUse()
            save()
            return s
        }
    }

    synchronized SingleTokenStats findTokenStatsById(String tokenUuid) {
        if (!enabled()) {
            return new SingleTokenStats(tokenUuid)
        }
        SingleTokenStats s = tokenStats.find { SingleTokenStats x -> x.tokenUuid == tokenUuid }
        s != null ? s : new SingleTokenStats(tokenUuid)
    }

    private SingleTokenStats findOrCreate(String tokenUuid) {
        SingleTokenStats s = tokenStats.find { SingleTokenStats x -> x.tokenUuid == tokenUuid }
        if (s == null) {
            s = new SingleTokenStats(tokenUuid)
            tokenStats.add(s)
        }
        s
    }

    synchronized void save() {
        if (!enabled() || user == null || user.getUserFolder() == null) {
            return
        }
        SimDisk.tokenStats.put(User.idStrategy().keyFor(user.id), SimDisk.serialize(this))
    }

    static ApiTokenStats load(User user) {
        ApiTokenStats stats = null
        byte[] data = user == null ? null : SimDisk.tokenStats.get(User.idStrategy().keyFor(user.id))
        if (data != null) {
            stats = (ApiTokenStats) SimDisk.deserialize(data)
            stats.normalize()
        }
        if (stats == null) {
            stats = new ApiTokenStats()
        }
        stats.user = user
        stats
    }

    @Deprecated
    static ApiTokenStats load(File parent) { new ApiTokenStats() }

    /** Duplicate uuids collapse to the most recent use; negative counters become 0. */
    private void normalize() {
        Map<String, SingleTokenStats> best = new LinkedHashMap<String, SingleTokenStats>()
        for (SingleTokenStats s : tokenStats) {
            if (s.useCounter != null && s.useCounter < 0) {
                s.useCounter = 0
            }
            SingleTokenStats other = best.get(s.tokenUuid)
            if (other == null || SingleTokenStats.COMP_BY_LAST_USE_THEN_COUNTER.compare(other, s) < 0) {
                best.put(s.tokenUuid, s)
            }
        }
        tokenStats = new ArrayList<SingleTokenStats>(best.values())
    }

    static class SingleTokenStats implements Serializable {
        private static final long serialVersionUID = 1L

        final String tokenUuid
        private Date lastUseDate
        private Integer useCounter

        private SingleTokenStats(String tokenUuid) { this.tokenUuid = tokenUuid }

        private synchronized void notifyUse() {
            useCounter = useCounter == null ? 1 : useCounter + 1
            lastUseDate = SimClock.now()
        }

        /** Last use date (never used first), then use counter: the later wins among duplicates. */
        private static Comparator<SingleTokenStats> COMP_BY_LAST_USE_THEN_COUNTER = new Comparator<SingleTokenStats>() {
            int compare(SingleTokenStats a, SingleTokenStats b) {
                Date x = a.getLastUseDate()
                Date y = b.getLastUseDate()
                if (x == null || y == null) {
                    if (x != null || y != null) {
                        return x == null ? -1 : 1
                    }
                } else if (x.compareTo(y) != 0) {
                    return x.compareTo(y)
                }
                Integer.compare(a.getUseCounter(), b.getUseCounter())
            }
        }

        String getTokenUuid() { tokenUuid }

        int getUseCounter() { useCounter == null ? 0 : useCounter }

        Date getLastUseDate() { lastUseDate }

        long getNumDaysUse() {
            lastUseDate == null ? 0L : Math.max(0L, ChronoUnit.DAYS.between(SimClock.toLocalDate(lastUseDate), SimClock.today()))
        }
    }
}
