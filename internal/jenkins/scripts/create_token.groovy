// Adds an API token with a value chosen by the caller.
// Parameters: {"marker", "userId", "name",
//              "expirationDate": "YYYY-MM-DD" or null, "createIfRealmKnows": bool,
//              "callerValue": bool, "defaultExpiryDays": int or null,
//              "retry": bool (set by the client from its second attempt on),
//              "notBefore": Jenkins-clock milliseconds, or null; required with callerValue}
// The value ("11"+32 hex) is the form field tokenValue of the same POST, never part of this text,
// which Jenkins logs (lib/request_field.groovy).
// defaultExpiryDays: with no expirationDate, on a Jenkins with expiration dates (2.548+), the
// token expires that many days after Jenkins's today, by Jenkins's own clock when it is made.
// Safe to repeat: if the user already holds a token matching the value (a retry after a lost
// response), that token is returned and nothing is added. A value the provider drew matches no
// other token. A value from the caller's configuration (callerValue) might: a match is taken
// only on a retry ("retry": the client sets it from its second attempt on) and only when it has
// the same name and Jenkins created it at or after notBefore, a point the client took from
// Jenkins's clock before its first attempt (lib/token_row.groovy, createdSince); any other is
// reported as valueInUse, because two owners of one token would revoke each other's.
// The user must be one whose tokens can log in: Jenkins impersonates the token's user through
// the security realm, and a user the realm answers UsernameNotFoundException for (a record
// made in memory for an SCM committer, a user without a password in Jenkins's own database)
// gets a 500 instead. Such users are reported as unknown and nothing is created. A realm that
// cannot tell (UserMayOrMayNotExistException2, many SSO realms) does not stop the create of an
// existing user: Jenkins lets that user's tokens log in. A user without a record is created as
// at a first login when the realm knows it and createIfRealmKnows is set (the realm's public
// lookup: a directory plugin saves the record then, as this script does anyway).
// An expiration date before Jenkins's today is refused (the token would never log in).
// Prints marker + {"ok":{"token":row, "info":{serverInfo}}} + marker (row: lib/token_row.groovy),
// or marker + {"error":{"type": "userNotFound"|"unsupported"|"expirationInPast"|"valueInUse", ...}} + marker.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))
def value = requestField('tokenValue')
if (value == null) {
    throw new IllegalStateException('the token value did not reach the script: the request has no form field tokenValue')
}
if (p.callerValue && p.notBefore == null) {
    throw new IllegalArgumentException('a create with a caller value needs notBefore')
}

def result = null
def u = User.getById(p.userId, false)
if (u == null) {
    if (p.createIfRealmKnows) {
        def r = realmStatus(p.userId)
        if (r[0] == 'known') {
            u = User.getById(r[1], true)
        }
    }
} else if (realmRefusesTokens(tokenLoginStatus(u))) {
    // A token Jenkins would refuse (the realm does not know the user, or refuses the account) is
    // not made. Asked as a token login asks (tokenLoginStatus), which writes no more than every
    // use of the token will.
    u = null
}

if (u == null) {
    result = [error: [type: 'userNotFound', message: 'unknown user', userIds: [p.userId]]]
} else if (p.expirationDate != null && java.time.LocalDate.parse(p.expirationDate).isBefore(java.time.LocalDate.now())) {
    result = [error: [type: 'expirationInPast', message: 'expiration date before today', today: java.time.LocalDate.now().toString()]]
} else {
    def prop = u.getProperty(ApiTokenProperty)
    def store = prop.getTokenStore()
    def t = null
    def uuid = null
    // Looking for the value and adding it are one step under the store's lock (its own methods
    // take the same lock): a retry that arrives while the first attempt still runs in Jenkins
    // then finds that attempt's token instead of adding a second one with the same value.
    synchronized (store) {
        t = store.findMatchingToken(value)
        if (t != null && p.callerValue) {
            if (!p.retry || t.getName() != p.name || !createdSince(t, p.notBefore) || t.isLegacy()) {
                result = [error: [type: 'valueInUse', message: 'the value is already a token of this user',
                                  userId: u.getId(), uuid: t.getUuid(), name: t.getName()]]
            }
        }
        if (result == null && t == null) {
            // Jenkins 2.548 replaced addFixedNewToken(name, value) by (name, value, expirationDate).
            def withExpiry = store.respondsTo('addFixedNewToken', [String, String, java.time.LocalDate] as Object[])
            def expiry = p.expirationDate == null ? null : java.time.LocalDate.parse(p.expirationDate)
            if (expiry == null && p.defaultExpiryDays != null && withExpiry) {
                expiry = java.time.LocalDate.now().plusDays(p.defaultExpiryDays as long)
            }
            if (p.expirationDate != null && !withExpiry) {
                result = [error: [type: 'unsupported', message: 'an API token expiration date']]
            } else if (withExpiry) {
                uuid = store.addFixedNewToken(p.name, value, expiry)
            } else {
                uuid = store.addFixedNewToken(p.name, value)
            }
        }
    }
    if (result == null && t == null) {
        if (uuid != null) {
            // What ApiTokenProperty.addFixedNewToken does, in two steps so that the UUID is
            // known when the save fails: the token would otherwise authenticate until the next
            // restart with a value that nobody holds. Take it out again by UUID, then fail.
            try {
                u.save()
            } catch (Exception e) {
                store.revokeToken(uuid)
                throw e
            }
            for (x in store.getTokenListSortedByName()) {
                if (x.getUuid() == uuid) {
                    t = x
                }
            }
        }
    }
    if (result == null) {
        def statsOn = jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
        result = [ok: [token: tokenRow(u, prop, t, statsOn), info: serverInfo()]]
    }
}
print(p.marker + JsonOutput.toJson(result) + p.marker)
return null
