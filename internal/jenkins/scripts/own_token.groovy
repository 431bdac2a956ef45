// Finds which of the current user's tokens the provider authenticates with, so that no bulk
// revocation takes away the provider's own access. The client sends the SHA-256 of the secret,
// hashed the way ApiTokenStore.findMatchingToken hashes what a client presents, never the
// secret itself: the script text reaches Jenkins's script listeners and audit logs.
// Parameters: {"marker", "credentialHash": hex}
// Prints marker + {"ok":{"self": id|null, "uuid": String|null, "legacy": Boolean}} + marker.
// Read-only: safe to repeat.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def self = User.current()
def found = null
def prop = self?.getProperty(ApiTokenProperty)
if (prop != null) {
    byte[] hashed = p.credentialHash.decodeHex()
    // HashedToken.match compares the stored hash with the presented one (and, from 2.548,
    // refuses an expired token: such a credential no longer logs in anyway).
    found = prop.getTokenStore().getTokenListSortedByName().find { it.match(hashed) }
}
print(p.marker + JsonOutput.toJson([ok: [self: self?.getId(), uuid: found?.getUuid(), legacy: found != null && found.isLegacy()]]) + p.marker)
return null
