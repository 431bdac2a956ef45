// Adds an API token with a value chosen by the caller.
// Parameters: {"marker", "userId", "name", "value" ("11"+32 hex),
//              "expirationDate": "YYYY-MM-DD" or null, "createIfRealmKnows": bool}
// Safe to repeat: if the user already holds a token matching the value (a
// retry after a lost response), that token is returned and nothing is added.
// An unknown user is reported and nothing is created, unless the security
// realm knows the user and createIfRealmKnows is set: then the record is
// created as at a first login (in memory, persisted by addFixedNewToken).
// Prints marker + {"ok":{"token":row}} + marker (row: tokenRow in lib/token_row.groovy).
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def u = User.getById(p.userId, false)
if (u == null && p.createIfRealmKnows) {
    def realmId = null
    try {
        realmId = Jenkins.get().getSecurityRealm().loadUserByUsername2(p.userId).getUsername()
    } catch (Exception e) {
        // UsernameNotFoundException (and its subclass "may or may not
        // exist") means: do not create. Anything else (realm down) is a
        // real failure and propagates.
        def notFound = false
        for (def k = e.getClass(); k != null; k = k.getSuperclass()) {
            if (k.getSimpleName() == 'UsernameNotFoundException') {
                notFound = true
            }
        }
        if (!notFound) {
            throw e
        }
    }
    if (realmId != null) {
        u = User.getById(realmId, true)
    }
}

def result
if (u == null) {
    result = [error: [type: 'userNotFound', message: 'unknown user', userIds: [p.userId]]]
} else {
    def prop = u.getProperty(ApiTokenProperty)
    def store = prop.getTokenStore()
    def t = store.findMatchingToken(p.value)
    if (t == null) {
        def uuid = null
        try {
            if (p.expirationDate != null) {
                if (!prop.respondsTo('addFixedNewToken', [String, String, java.time.LocalDate] as Object[])) {
                    result = [error: [type: 'unsupported', message: 'an API token expiration date']]
                } else {
                    uuid = prop.addFixedNewToken(p.name, p.value, java.time.LocalDate.parse(p.expirationDate))
                }
            } else {
                uuid = prop.addFixedNewToken(p.name, p.value)
            }
        } catch (Exception e) {
            // addFixedNewToken adds the token in memory, then saves the user. When the save
            // fails, the token would authenticate until the next restart with a value that
            // nobody holds: take it out of memory again, then fail.
            def added = store.findMatchingToken(p.value)
            if (added != null) {
                store.revokeToken(added.getUuid())
            }
            throw e
        }
        if (uuid != null) {
            for (x in store.getTokenListSortedByName()) {
                if (x.getUuid() == uuid) {
                    t = x
                }
            }
        }
    }
    if (result == null) {
        result = [ok: [token: tokenRow(u, prop, t)]]
    }
}
print(p.marker + JsonOutput.toJson(result) + p.marker)
return null
