// Revokes many tokens in one run.
// Parameters: {"marker", "refs": [[userId, uuid], ...]}
// ApiTokenProperty.revokeToken(uuid) on the legacy entry also nulls the
// legacy seed; without that the legacy token would come back at the next
// restart (JENKINS.md Q7). The seed is checked again afterwards to be sure.
// A user or token already gone is not an error. Safe to repeat.
// Prints marker + {"ok":{"results":[[userId, uuid, found, legacy], ...]}} + marker.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def results = new ArrayList()
for (ref in p.refs) {
    def u = User.getById(ref[0], false)
    if (u == null) {
        results.add([ref[0], ref[1], false, false])
        continue
    }
    def prop = u.getProperty(ApiTokenProperty)
    def t = null
    for (x in prop.getTokenStore().getTokenListSortedByName()) {
        if (x.getUuid() == ref[1]) {
            t = x
        }
    }
    if (t == null) {
        results.add([u.getId(), ref[1], false, false])
        continue
    }
    def legacy = t.isLegacy()
    prop.revokeToken(ref[1])
    if (legacy && prop.hasLegacyToken()) {
        prop.deleteApiToken()
        u.save()
    }
    results.add([u.getId(), ref[1], true, legacy])
}
print(p.marker + JsonOutput.toJson([ok: [results: results]]) + p.marker)
return null
