
// ---- shared by every template (appended after it: Groovy script methods may follow their use) ----

// tokenRow is one token as the client reads it:
//   [userId, uuid, name, createdMillis|null, legacy, useCount|null, lastUsedMillis|null,
//    expirationDate "YYYY-MM-DD"|null, expired]
// useCount and lastUsed are null when usage statistics are off: ApiTokenStats then answers
// empty statistics for every token, whatever is on disk, and "0 uses" would be a lie.
// Arrays, not objects: 50,000 tokens stay around 5 MB.
def tokenRow(u, prop, t, statsOn) {
    def created = t.getCreationDate()
    def useCount = null
    def lastUse = null
    if (statsOn) {
        def s = prop.getTokenStats().findTokenStatsById(t.getUuid())
        useCount = s.getUseCounter()
        lastUse = s.getLastUseDate()
    }
    def exp = null
    def expired = false
    // Expiration dates exist since Jenkins 2.548 only.
    if (t.respondsTo('getExpirationDate')) {
        def e = t.getExpirationDate()
        if (e != null) {
            exp = e.toString()
            expired = t.isExpired()
        }
    }
    return [u.getId(), t.getUuid(), t.getName(), created == null ? null : created.getTime(), t.isLegacy(),
            useCount, lastUse == null ? null : lastUse.getTime(), exp, expired]
}

// serverInfo is what the provider needs to know of this Jenkins to decide as Jenkins does:
// its version, its today (LocalDate.now() in the JVM's zone, what token expiry compares with),
// the security realm's user id strategy, whether usage statistics are kept, and whether tokens of
// users the realm does not know log in.
def serverInfo() {
    return [version        : jenkins.model.Jenkins.VERSION,
            today          : java.time.LocalDate.now().toString(),
            // Jenkins's clock now, in milliseconds: what the client bounds adoption by (createdSince).
            now            : System.currentTimeMillis(),
            timeZone       : java.util.TimeZone.getDefault().getID(),
            idStrategy     : hudson.model.User.idStrategy().getClass().getName(),
            usageStatistics: jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled(),
            // -Dhudson.model.User.allowNonExistentUserToLogin=true (a public static field, read at
            // its current value: a script can flip it): tokens of users the realm does not know
            // still log in (User.getUserDetailsForImpersonation2).
            allowNonExistentUserToLogin: hudson.model.User.ALLOW_NON_EXISTENT_USER_TO_LOGIN,
            self           : hudson.model.User.current()?.getId(),
            operationsCenter: operationsCenterRole()]
}

// operationsCenterRole says whether this Jenkins is part of a CloudBees CI cluster, from its
// plugins (PluginManager.getPlugin(shortName): the PluginWrapper, or null): "server" on an
// operations center (operations-center-server: its users' API tokens work on every joined
// controller), "client" on a controller joined to one (operations-center-client: the operations
// center can overwrite its users' tokens), "" otherwise. Only active plugins count.
def operationsCenterRole() {
    def plugins = jenkins.model.Jenkins.get().getPluginManager()
    if (plugins.getPlugin('operations-center-server')?.isActive()) {
        return 'server'
    }
    if (plugins.getPlugin('operations-center-client')?.isActive()) {
        return 'client'
    }
    return ''
}

// realmStatus asks the security realm about id: "known", "unknown" (UsernameNotFoundException),
// "unverifiable" (UserMayOrMayNotExistException*: the realm cannot tell), or the state of an
// account the directory has but refuses (Spring's AccountStatusException family, thrown by the
// ldap plugin since 2.2 for accounts its UserAttributesHelper finds disabled, expired or locked):
// "disabled", "account_expired", "credentials_expired", "locked". Jenkins refuses the API tokens
// of all four (BasicHeaderApiTokenAuthenticator catches only UsernameNotFoundException).
// Anything else (AuthenticationServiceException, DataAccessException: the realm failed to
// answer) propagates: an outage must never read as "gone". loadUserByUsername2 exists since
// Jenkins 2.266; before, only the Acegi loadUserByUsername, whose exceptions have the same
// simple names (Acegi has no AccountStatusException: its four classes are matched by name).
// This is the realm's public lookup: the ldap and active-directory plugins save the user's
// record at it (a record made for an id Jenkins had none of, the directory's full name and mail
// address), so it is asked only where a caller asked for the realm (docs: "Directory lookups").
def realmStatus(String id) {
    def realm = jenkins.model.Jenkins.get().getSecurityRealm()
    try {
        def details = realm.metaClass.respondsTo(realm, 'loadUserByUsername2', String).isEmpty() ?
                realm.loadUserByUsername(id) : realm.loadUserByUsername2(id)
        return ['known', details.getUsername()]
    } catch (Exception e) {
        return [realmRefusal(e), null]
    }
}

// tokenLoginStatus is what Jenkins decides about u's API tokens at each use: "known" (they log
// in, with minimum access when the realm cannot tell or allowNonExistentUserToLogin is set),
// "unknown" or a refused account's status as in realmStatus. It asks the lookup Jenkins makes at
// every token login (User.getUserDetailsForImpersonation2, 2.266+: the realm's user details
// service through ImpersonatingUserDetailsService2), not the realm's public lookup: the ldap
// plugin's public lookup saves the user's record (updateUserDetails: full name, mail address),
// its user details service does not unless its user cache is on; Active Directory's writes
// either way, as at every use of the token. Before 2.266, realmStatus.
def tokenLoginStatus(u) {
    if (u.metaClass.respondsTo(u, 'getUserDetailsForImpersonation2').isEmpty()) {
        return realmStatus(u.getId())[0]
    }
    try {
        u.getUserDetailsForImpersonation2()
        return 'known'
    } catch (Exception e) {
        return realmRefusal(e)
    }
}

// realmRefusal names what a realm lookup's exception says about the user (see realmStatus),
// or rethrows an outage.
def realmRefusal(Exception e) {
    def names = []
    for (def k = e.getClass(); k != null; k = k.getSuperclass()) {
        names.add(k.getSimpleName())
    }
    if (names.any { it.startsWith('UserMayOrMayNotExistException') }) {
        return 'unverifiable'
    }
    if (names.contains('UsernameNotFoundException')) {
        return 'unknown'
    }
    def refused = [DisabledException: 'disabled', AccountExpiredException: 'account_expired',
                   CredentialsExpiredException: 'credentials_expired', LockedException: 'locked']
    def state = names.findResult { refused[it] }
    if (state != null) {
        return state
    }
    if (names.contains('AccountStatusException')) {
        // A plugin's own subclass: the account exists and the realm refuses it.
        return 'disabled'
    }
    throw e
}

// realmRefusesTokens: Jenkins refuses the API tokens of a user the realm answers status for. The
// authenticator impersonates the token's user through the realm; a UsernameNotFoundException or
// an AccountStatusException there fails the request (BasicHeaderApiTokenAuthenticator,
// User.getUserDetailsForImpersonation2). "unverifiable" users log in with minimum access, and so
// do "unknown" ones when allowNonExistentUserToLogin is set (it covers UsernameNotFoundException
// only, not a refused account).
def realmRefusesTokens(String status) {
    if (status == 'unknown') {
        return !hudson.model.User.ALLOW_NON_EXISTENT_USER_TO_LOGIN
    }
    return status in ['disabled', 'account_expired', 'credentials_expired', 'locked']
}

// userFacts is what tells whether u is still around: [realmStatus, lastLoginMillis|null,
// lastTokenUseMillis|null, lastTokenCreatedMillis|null, lastUseUnknown, sessionsInvalidatedMillis|null]
// (see list_users.groovy for what each can prove). A token's creation counts as activity: someone
// minted it for the user then.
// LastGrantedAuthoritiesProperty keeps one timestamp for two events: update() at a web login
// (roles set) and invalidate() when an admin presses "Invalidate sessions" (roles = null,
// LastGrantedAuthoritiesProperty.java:104-110, called by UserSeedProperty.java:142-145). A stamp
// with null roles is therefore the invalidation, not a login: it is reported apart and the login
// as unknown (null), since Jenkins overwrote its date. No login happened since: the next one
// sets roles again, which differ from null, so update() stamps it (LastGrantedAuthoritiesProperty.java:94). lastUseUnknown: the user holds a legacy token without a creation date and without
// statistics of its own. Jenkins gives the legacy token of a record last saved before 2.129 a new
// UUID at every start (ApiTokenProperty.setUser, ApiTokenStore.regenerateTokenFromLegacyIfRequired)
// and keys statistics by UUID, so right after a restart its last use reads as never, whatever
// happened minutes before: the last use is then unknown, not never.
def userFacts(u, checkRealm, statsOn) {
    def status = checkRealm ? realmStatus(u.getId())[0] : 'not_checked'
    def granted = u.getProperty(jenkins.security.LastGrantedAuthoritiesProperty)
    def stamp = (granted == null || granted.@timestamp == 0L) ? null : granted.@timestamp
    def invalidated = granted != null && granted.@roles == null
    def lastLogin = invalidated ? null : stamp
    def invalidatedAt = invalidated ? stamp : null
    def prop = u.getProperty(jenkins.security.ApiTokenProperty)
    def lastUse = null
    def lastCreated = null
    def lastUseUnknown = false
    if (prop != null) {
        for (t in prop.getTokenStore().getTokenListSortedByName()) {
            def c = t.getCreationDate()
            if (c != null && (lastCreated == null || c.getTime() > lastCreated)) {
                lastCreated = c.getTime()
            }
            if (!statsOn) {
                continue
            }
            def s = prop.getTokenStats().findTokenStatsById(t.getUuid())
            def d = s.getLastUseDate()
            if (d != null && (lastUse == null || d.getTime() > lastUse)) {
                lastUse = d.getTime()
            }
            if (t.isLegacy() && c == null && d == null && s.getUseCounter() == 0) {
                lastUseUnknown = true
            }
        }
    }
    return [status, lastLogin, lastUse, lastCreated, lastUseUnknown, invalidatedAt]
}

// createdSince: Jenkins made the token at or after notBefore (milliseconds, by Jenkins's own
// clock, the one HashedToken.buildNew dates tokens with), a point the client took from that clock
// before its first attempt; null: no bound (a value the provider drew, which no other token can
// hold). The create script takes a token with a caller's value for its own, and settling an
// unanswered create revokes one, only under this rule: a token with that value made before the
// client's first attempt is another's.
def createdSince(t, notBefore) {
    if (notBefore == null) {
        return true
    }
    t.getCreationDate() != null && t.getCreationDate().getTime() >= (notBefore as long)
}
