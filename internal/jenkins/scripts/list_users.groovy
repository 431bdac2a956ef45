// Lists every user record Jenkins holds, with what tells whether the person is still around.
// Parameters: {"marker", "checkRealm": bool, "budgetMs": int|null, "cursor": key|null}
// A walk (lib/walk.groovy): users in the order of their keys, from after the cursor, until the
// time budget is spent; "walk": {"next": the last key done, or null when all are, "done": users
// done so far, "total"}.
// A row: [id, fullName, realmStatus, lastLoginMillis|null, lastTokenUseMillis|null,
//         lastTokenCreatedMillis|null, tokenCount, lastUseUnknown, sessionsInvalidatedMillis|null,
//         hasLegacyToken]
//   realmStatus: realmStatus() in lib/token_row.groovy, or "not_checked" without checkRealm
//     (a lookup per user can be an LDAP query).
//   lastLogin: LastGrantedAuthoritiesProperty's timestamp, set at the first interactive login
//     and whenever the authorities granted at a login change (not at every login); Jenkins has no
//     getter, so the private fields are read. null: no interactive login recorded, or the stamp
//     is a sessions invalidation (then sessionsInvalidated, see userFacts).
//   sessionsInvalidated: when an admin (or the user) pressed "Invalidate sessions", if that is the
//     record's last stamp: no web login was recorded since, and the one before is lost.
//   lastTokenUse: the latest use of any of the user's tokens; null when never used or when usage
//     statistics are off (see info.usageStatistics).
//   lastTokenCreated: the creation of the user's newest token; null without tokens, or when the
//     only one is a legacy token migrated from a record older than the token store.
//   lastUseUnknown: a legacy token without a creation date has no statistics of its own, as right
//     after a restart for a record last saved before 2.129 (userFacts): lastTokenUse does not
//     prove the token unused.
// Only users with a saved record: Jenkins also keeps records in memory for SCM committers.
// Prints marker + {"ok":{"users":[row...], "walk":{...}, "info":{serverInfo}}} + marker. Writes nothing itself;
// with checkRealm it asks the realm's public lookup, at which directory plugins save records.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def statsOn = jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
def over = walkOver(p)
def rows = new ArrayList()
def walk = walkEachUser(User.getAll().findAll { it.getUserFolder() != null }, p, over) { u ->
    def facts = userFacts(u, p.checkRealm, statsOn)
    def prop = u.getProperty(ApiTokenProperty)
    def tokens = prop == null ? [] : prop.getTokenStore().getTokenListSortedByName()
    rows.add([u.getId(), u.getFullName(), facts[0], facts[1], facts[2], facts[3], tokens.size(), facts[4], facts[5], prop != null && prop.hasLegacyToken()])
}
print(p.marker + JsonOutput.toJson([ok: [users: rows, walk: walk, info: serverInfo()]]) + p.marker)
return null
