// Renames a token in place (same UUID, same value) and saves the user.
// Parameters: {"marker", "userId", "uuid", "name"}
// Prints marker + {"ok":{"token":row}} + marker, or an error object of type
// userNotFound / tokenNotFound. Safe to repeat.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def result
def u = User.getById(p.userId, false)
if (u == null) {
    result = [error: [type: 'userNotFound', message: 'unknown user', userIds: [p.userId]]]
} else {
    def prop = u.getProperty(ApiTokenProperty)
    def store = prop.getTokenStore()
    if (!store.renameToken(p.uuid, p.name)) {
        result = [error: [type: 'tokenNotFound', message: 'unknown token', userId: u.getId(), uuid: p.uuid]]
    } else {
        u.save()
        def t = null
        for (x in store.getTokenListSortedByName()) {
            if (x.getUuid() == p.uuid) {
                t = x
            }
        }
        result = [ok: [token: tokenRow(u, prop, t, jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled())]]
    }
}
print(p.marker + JsonOutput.toJson(result) + p.marker)
return null
