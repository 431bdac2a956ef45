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

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def results = new ArrayList()
def over = walkOver(p)
for (ref in p.refs) {
    if (!results.isEmpty() && over()) {
        break // the refs after it are the next call's: results.size() says how many were done
    }
    results.add(revokeOneToken(ref))
}
print(p.marker + JsonOutput.toJson([ok: [results: results]]) + p.marker)
return null
