package jenkinssim

import groovy.transform.CompileStatic

import java.lang.reflect.Field
import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.LocalTime
import java.time.OffsetDateTime
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.ZonedDateTime
import java.util.concurrent.ConcurrentHashMap

// "Now" for the simulated Jenkins, shifted by /__sim/clock so tests can expire tokens. On a JVM
// every clock reads one source (System.currentTimeMillis, new Date(), Instant.now(), the java.time
// now() methods, Calendar.getInstance()), so the simulated JVM shifts them all alike: a script
// that dates something with new Date() and compares it with System.currentTimeMillis() sees the
// same time, as on Jenkins. "Today" is the date in the JVM's default time zone, as Jenkins's
// LocalDate.now() (--timezone sets it).
//
// A fleet runs one class loader per controller in one JVM (Boot), each with its own SimClock and
// offset, but the metaclass overrides are the JVM's (Groovy's registry is shared): install() puts
// them there once, and they read the offset of the controller running on the calling thread,
// whose context class loader is that controller's (SimServer's request threads and the threads
// they start). A thread of no controller reads this class's offset.
class SimClock {
    static volatile long offsetDays = 0

    /** offsetDays of SimClock as each context class loader sees it. */
    private static final Map<ClassLoader, Field> OFFSETS = new ConcurrentHashMap<ClassLoader, Field>()

    /** The offset of the controller running on this thread (see above). */
    @CompileStatic
    static long days() {
        ClassLoader cl = Thread.currentThread().contextClassLoader
        if (cl == null || cl.is(SimClock.classLoader)) {
            return offsetDays
        }
        Field f = OFFSETS.computeIfAbsent(cl) { ClassLoader l ->
            Field found
            try {
                found = Class.forName(SimClock.name, false, l).getDeclaredField('offsetDays')
            } catch (ClassNotFoundException ignored) {
                found = SimClock.getDeclaredField('offsetDays')
            }
            found.accessible = true
            found
        }
        f.getLong(null)
    }

    // The helpers are compiled statically so that they reach the JDK's real clocks, not the
    // overrides install() puts on the metaclasses.
    @CompileStatic
    static Clock clock() { Clock.offset(Clock.systemDefaultZone(), Duration.ofDays(days())) }

    @CompileStatic
    static long nowMillis() { System.currentTimeMillis() + days() * 86400000L }

    @CompileStatic
    static Date now() { new Date(nowMillis()) }

    @CompileStatic
    static LocalDate today() { LocalDate.now(clock()) }

    @CompileStatic
    static LocalDate toLocalDate(Date d) { d.toInstant().atZone(ZoneId.systemDefault()).toLocalDate() }

    @CompileStatic
    static Calendar calendar(TimeZone zone, Locale locale) {
        Calendar c = Calendar.getInstance(zone, locale)
        c.setTimeInMillis(nowMillis())
        c
    }

    @CompileStatic
    static GregorianCalendar gregorian() {
        GregorianCalendar c = new GregorianCalendar(TimeZone.getDefault(), Locale.getDefault(Locale.Category.FORMAT))
        c.setTimeInMillis(nowMillis())
        c
    }

    /**
     * The shifted clock is the simulated JVM's clock, for every caller that Groovy dispatches
     * through the metaclass: the scripts (any script, without looking at what it is) and the
     * simulator's own dynamically compiled classes. Not covered: calls made inside the JDK or
     * from statically compiled code (System.nanoTime is a monotonic counter, not a date, and is
     * left alone as on a JVM).
     */
    static void install() {
        synchronized (GroovySystem.metaClassRegistry) {
            // Installed once per JVM: another controller's install already dispatches to us.
            if (!(GroovySystem.metaClassRegistry.getMetaClass(System) instanceof ExpandoMetaClass)) {
                installOverrides()
            }
        }
    }

    private static void installOverrides() {
        System.metaClass.static.currentTimeMillis = { -> SimClock.nowMillis() }
        Date.metaClass.constructor = { -> SimClock.now() }
        Instant.metaClass.static.now = { -> Instant.now(SimClock.clock()) }
        Clock.metaClass.static.systemUTC = { -> SimClock.clock().withZone(ZoneOffset.UTC) }
        Clock.metaClass.static.systemDefaultZone = { -> SimClock.clock() }
        Clock.metaClass.static.system = { ZoneId z -> SimClock.clock().withZone(z) }
        LocalDate.metaClass.static.now = { -> LocalDate.now(SimClock.clock()) }
        LocalDate.metaClass.static.now = { ZoneId z -> LocalDate.now(SimClock.clock().withZone(z)) }
        LocalDateTime.metaClass.static.now = { -> LocalDateTime.now(SimClock.clock()) }
        LocalDateTime.metaClass.static.now = { ZoneId z -> LocalDateTime.now(SimClock.clock().withZone(z)) }
        LocalTime.metaClass.static.now = { -> LocalTime.now(SimClock.clock()) }
        LocalTime.metaClass.static.now = { ZoneId z -> LocalTime.now(SimClock.clock().withZone(z)) }
        ZonedDateTime.metaClass.static.now = { -> ZonedDateTime.now(SimClock.clock()) }
        ZonedDateTime.metaClass.static.now = { ZoneId z -> ZonedDateTime.now(SimClock.clock().withZone(z)) }
        OffsetDateTime.metaClass.static.now = { -> OffsetDateTime.now(SimClock.clock()) }
        OffsetDateTime.metaClass.static.now = { ZoneId z -> OffsetDateTime.now(SimClock.clock().withZone(z)) }
        Calendar.metaClass.static.getInstance = { -> SimClock.calendar(TimeZone.getDefault(), Locale.getDefault(Locale.Category.FORMAT)) }
        Calendar.metaClass.static.getInstance = { TimeZone z -> SimClock.calendar(z, Locale.getDefault(Locale.Category.FORMAT)) }
        Calendar.metaClass.static.getInstance = { Locale l -> SimClock.calendar(TimeZone.getDefault(), l) }
        Calendar.metaClass.static.getInstance = { TimeZone z, Locale l -> SimClock.calendar(z, l) }
        GregorianCalendar.metaClass.constructor = { -> SimClock.gregorian() }
    }
}
