// The demo's starting point, "what an admin has today", set up the way admins do it: a script
// run in the script console (Manage Jenkins > Script Console, or POST /scriptText). Three users,
// tokens made by hand over the years, two of them legacy tokens (the single per-user token from
// before Jenkins 2.129, still accepted at login). Prints names only, never a token value.
import hudson.model.User
import jenkins.model.Jenkins
import jenkins.security.ApiTokenProperty

def users = [
    'alice'     : ['laptop'],
    'bob'       : ['jenkins-cli', 'release script'],
    'svc-deploy': [],
]
def legacy = ['alice', 'bob'] as Set

users.each { String id, List<String> names ->
    if (User.getById(id, false) == null) {
        // A random password nobody will know: the demo logs in with tokens only.
        Jenkins.get().getSecurityRealm().createAccount(id, UUID.randomUUID().toString())
    }
    def u = User.getById(id, false)
    def p = u.getProperty(ApiTokenProperty)
    names.each { p.generateNewToken(it) }
    if (id in legacy) {
        p.changeApiToken() // what "Legacy API Token > Change" does
    }
    u.save()
    def held = p.getTokenStore().getTokenListSortedByName().collect { it.isLegacy() ? "${it.getName()} (legacy)" : it.getName() }
    println String.format('  %-11s %s', id, held ? held.join(', ') : '(no token)')
}
null // nothing for the console to print as "Result:"
