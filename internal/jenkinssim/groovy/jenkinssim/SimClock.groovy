package jenkinssim

import java.time.LocalDate
import java.time.ZoneId

// "Now" for the simulated Jenkins, shifted by /__sim/clock so tests can expire tokens.
class SimClock {
    static volatile long offsetDays = 0

    static long nowMillis() { System.currentTimeMillis() + offsetDays * 86400000L }

    static Date now() { new Date(nowMillis()) }

    static LocalDate today() { LocalDate.now(ZoneId.systemDefault()).plusDays(offsetDays) }

    static LocalDate toLocalDate(Date d) { d.toInstant().atZone(ZoneId.systemDefault()).toLocalDate() }
}
