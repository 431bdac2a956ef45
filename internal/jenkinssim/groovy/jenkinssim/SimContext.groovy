package jenkinssim

// Per-request facts Jenkins reads from Stapler's current request (locale, root URL).
class SimContext {
    private static final ThreadLocal<Locale> LOCALE = new ThreadLocal<Locale>()

    static Locale locale() {
        Locale l = LOCALE.get()
        l == null ? Locale.getDefault() : l
    }

    private static final ThreadLocal<String> ROOT_URL = new ThreadLocal<String>()

    /** Jenkins's root URL as derived from the current request (Host header), if any. */
    static String rootUrl() { ROOT_URL.get() }

    static void setRootUrl(String u) {
        if (u == null) {
            ROOT_URL.remove()
        } else {
            ROOT_URL.set(u)
        }
    }

    static void setLocale(Locale l) {
        if (l == null) {
            LOCALE.remove()
        } else {
            LOCALE.set(l)
        }
    }
}
