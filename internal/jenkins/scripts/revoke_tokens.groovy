// Revokes many tokens in one run and reports what Jenkins really revoked.
// Parameters: {"marker", "refs": [[userId, uuid, legacy], ...], "budgetMs": int|null}
// A walk (lib/walk.groovy): refs in order until the time budget is spent (at least one); the
// answer has a result for each ref done, in order, and the client sends the rest again.
// legacy: the caller saw this token as the user's legacy token. A legacy token read from a
// record that an older Jenkins wrote gets a new random UUID at every start until the user is
// saved (ApiTokenProperty.setUser), so when the UUID is gone the user's current legacy token is
// revoked instead.
// ApiTokenProperty.revokeToken(uuid) on the legacy entry also nulls the legacy seed and saves
// the user; without that the legacy token would come back at the next restart (JENKINS.md Q7).
// Each revocation is checked afterwards; a failure is reported for that token and the others go
// on. A user or token already gone is reported as such, not as an error. Safe to repeat.
// userFound says whether Jenkins has the user: a caller that names the user by an id Jenkins never
// returned cannot take "no such user" for "gone" (a realm may have made the user under another
// spelling).
// Prints marker + {"ok":{"results":[[userId, requestedUuid, revokedUuid|null, name|null,
//                                    legacy, problem|null, userFound], ...]}} + marker.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def results = new ArrayList()
def over = walkOver(p)
for (ref in p.refs) {
    if (!results.isEmpty() && over()) {
        break // the refs after it are the next call's: results.size() says how many were done
    }
    def u = User.getById(ref[0], false)
    def prop = u == null ? null : u.getProperty(ApiTokenProperty)
    if (prop == null) {
        results.add([u == null ? ref[0] : u.getId(), ref[1], null, null, false, null, u != null])
        continue
    }
    def store = prop.getTokenStore()
    def t = null
    for (x in store.getTokenListSortedByName()) {
        if (x.getUuid() == ref[1]) {
            t = x
        }
    }
    if (t == null && ref[2]) {
        t = store.getLegacyToken()
    }
    if (t == null) {
        results.add([u.getId(), ref[1], null, null, false, null, true])
        continue
    }
    def legacy = t.isLegacy()
    def problem = null
    try {
        prop.revokeToken(t.getUuid())
        if (legacy && prop.hasLegacyToken()) {
            prop.deleteApiToken()
            u.save()
        }
        def left = false
        for (x in store.getTokenListSortedByName()) {
            if (x.getUuid() == t.getUuid()) {
                left = true
            }
        }
        if (left) {
            problem = 'the token is still listed after revokeToken'
        } else if (legacy && prop.hasLegacyToken()) {
            problem = 'the legacy token seed is still set after deleteApiToken'
        }
    } catch (Exception e) {
        problem = e.toString()
    }
    results.add([u.getId(), ref[1], problem == null ? t.getUuid() : null, t.getName(), legacy, problem, true])
}
print(p.marker + JsonOutput.toJson([ok: [results: results]]) + p.marker)
return null
