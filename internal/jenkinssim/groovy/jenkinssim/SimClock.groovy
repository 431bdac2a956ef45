package jenkinssim

import groovy.transform.CompileStatic

import java.time.LocalDate
import java.time.ZoneId

// "Now" for the simulated Jenkins, shifted by /__sim/clock so tests can expire tokens. "Today" is
// the date in the JVM's default time zone, as Jenkins's LocalDate.now() (--timezone sets it).
class SimClock {
    static volatile long offsetDays = 0

    // Compiled statically so that it reaches the real System.currentTimeMillis(), not the override below.
    @CompileStatic
    static long nowMillis() { System.currentTimeMillis() + offsetDays * 86400000L }

    static Date now() { new Date(nowMillis()) }

    // Compiled statically so that it reaches the real LocalDate.now(ZoneId), not the override below.
    @CompileStatic
    static LocalDate today() { LocalDate.now(ZoneId.systemDefault()).plusDays(offsetDays) }

    @CompileStatic
    static LocalDate toLocalDate(Date d) { d.toInstant().atZone(ZoneId.systemDefault()).toLocalDate() }

    /**
     * The shifted clock is the simulated JVM's clock: a script that calls LocalDate.now() (as
     * Jenkins's own code does) gets the shifted date too, and System.currentTimeMillis() the
     * shifted instant that token creation and use dates are taken from. Groovy dispatches a
     * script's static calls through the metaclass, so this covers any script, without looking at
     * what it is.
     */
    static void install() {
        LocalDate.metaClass.static.now = { -> SimClock.today() }
        System.metaClass.static.currentTimeMillis = { -> SimClock.nowMillis() }
    }
}
