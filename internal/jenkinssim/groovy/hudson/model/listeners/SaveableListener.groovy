package hudson.model.listeners

import hudson.model.Saveable
import jenkinssim.SimServer

// Jenkins fires SaveableListener.fireOnChange after every save of a configuration file; the
// job-config-history and audit-trail plugins listen to it (a new history entry per user save).
// The simulator counts the saves of user records ("userSave" in /__sim/stats, and "userSave/<id>" for each user) so that tests see
// what a listing or a create writes.
abstract class SaveableListener {
    static void fireOnChange(Saveable o, Object file) {
        if (o instanceof hudson.model.User) {
            SimServer.count('userSave')
            SimServer.count('userSave/' + hudson.model.User.idStrategy().keyFor(((hudson.model.User) o).id))
        }
    }
}
