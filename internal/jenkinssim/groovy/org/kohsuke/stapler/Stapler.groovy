package org.kohsuke.stapler

import jenkinssim.SimRequest
import jenkinssim.SimServletRequest

// Stapler's current request, as scripts see it: Stapler.invoke keeps the request in a thread
// local while it is served (Stapler.java 714 and 723 in stapler 2107.v8dfcb_e8ed317, the one
// Jenkins 2.579 bundles; 687 and 696 in 1.260, Jenkins 2.260's), and the script console runs a
// script on that same thread (LocalChannel.call calls it in place). Jenkins 2.475
// (stapler 1903) added getCurrentRequest2 (Jakarta) and made getCurrentRequest a deprecated
// wrapper of it; before, getCurrentRequest was the only one.
class Stapler {
    private static final ThreadLocal<SimRequest> CURRENT_REQUEST = new ThreadLocal<SimRequest>()

//#if >=2.475
    static StaplerRequest2 getCurrentRequest2() {
        SimRequest r = CURRENT_REQUEST.get()
        r == null ? null : new StaplerRequest2(r)
    }

    @Deprecated
    static StaplerRequest getCurrentRequest() {
        StaplerRequest2 r = getCurrentRequest2()
        r == null ? null : new StaplerRequest(r.sim)
    }
//#else
    static StaplerRequest getCurrentRequest() {
        SimRequest r = CURRENT_REQUEST.get()
        r == null ? null : new StaplerRequest(r)
    }
//#end

    /** Stapler.invoke's part: the request the calling thread serves; null when it is done. */
    static void simSetCurrentRequest(SimRequest r) {
        if (r == null) {
            CURRENT_REQUEST.remove()
        } else {
            CURRENT_REQUEST.set(r)
        }
    }
}

// StaplerRequest and StaplerRequest2 are separate interfaces in Stapler (javax and Jakarta);
// both give the servlet request's methods (SimServletRequest).
class StaplerRequest implements SimServletRequest {
    final SimRequest sim

    StaplerRequest(SimRequest sim) { this.sim = sim }
}

//#if >=2.475
class StaplerRequest2 implements SimServletRequest {
    final SimRequest sim

    StaplerRequest2(SimRequest sim) { this.sim = sim }
}
//#end
