// Tells whether a token of a user has a given value: Jenkins keeps only a hash, so this is the
// one way to check that a value in a configuration is the value of a token adopted by import.
// Parameters: {"marker", "userId", "uuid", "hash"}: hash is the SHA-256 (hex) of the value's 32-hex
// secret, as ApiTokenStore keeps it; the value itself never travels (the script text is logged).
// Prints marker + {"ok":{"exists": bool, "matches": bool}} + marker. exists: the user holds a
// token with that UUID; a caller tells "gone" (revoked since it looked) from "another value" by
// it. An expired token matches nothing (2.548+, as Jenkins's own findMatchingToken).
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def u = User.getById(p.userId, false)
def prop = u == null ? null : u.getProperty(ApiTokenProperty)
def exists = false
if (prop != null) {
    for (x in prop.getTokenStore().getTokenListSortedByName()) {
        if (x.getUuid() == p.uuid) {
            exists = true
        }
    }
}
// HashedToken.match compares the stored hash with the one given, and from 2.548 refuses an
// expired token, as findMatchingToken does.
byte[] hashed = p.hash.decodeHex()
def matches = exists && prop.getTokenStore().getTokenListSortedByName().any { it.getUuid() == p.uuid && it.match(hashed) }
print(p.marker + JsonOutput.toJson([ok: [exists: exists, matches: matches]]) + p.marker)
return null
