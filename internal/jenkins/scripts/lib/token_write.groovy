// The writes to one token, shared by the scripts that make one (create_token, rename_token,
// revoke_tokens, revoke_token_by_value) and by write_tokens, which makes many in one call. Each returns its outcome
// instead of printing it, so that a batch reports one outcome per write.

// createOneToken adds a token with a value chosen by the caller (see create_token.groovy for the
// parameters and the rules), and returns [ok: [token: row]] or [error: [type: 'userNotFound' |
// 'unsupported' | 'expirationInPast' | 'valueInUse', ...]]. p.retry: the client sends p again
// because an earlier attempt may have run. Safe to repeat.
def createOneToken(p, String value) {
    if (value == null) {
        throw new IllegalStateException('the token value did not reach the script: the request has no such form field')
    }
    if (p.callerValue && p.notBefore == null) {
        throw new IllegalArgumentException('a create with a caller value needs notBefore')
    }
    def u = User.getById(p.userId, false)
    if (u == null) {
        if (p.createIfRealmKnows) {
            def r = realmStatus(p.userId)
            if (r[0] == 'known') {
                u = User.getById(r[1], true)
            }
        }
    } else if (realmRefusesTokens(tokenLoginStatus(u))) {
        // A token Jenkins would refuse (the realm does not know the user, or refuses the account)
        // is not made. Asked as a token login asks (tokenLoginStatus), which writes no more than
        // every use of the token will.
        u = null
    }
    if (u == null) {
        return [error: [type: 'userNotFound', message: 'unknown user', userIds: [p.userId]]]
    }
    if (p.expirationDate != null && java.time.LocalDate.parse(p.expirationDate).isBefore(java.time.LocalDate.now())) {
        return [error: [type: 'expirationInPast', message: 'expiration date before today', today: java.time.LocalDate.now().toString()]]
    }
    def prop = u.getProperty(jenkins.security.ApiTokenProperty)
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
                return [error: [type: 'valueInUse', message: 'the value is already a token of this user',
                                userId: u.getId(), uuid: t.getUuid(), name: t.getName()]]
            }
        }
        if (t == null) {
            // Jenkins 2.548 replaced addFixedNewToken(name, value) by (name, value, expirationDate).
            def withExpiry = store.respondsTo('addFixedNewToken', [String, String, java.time.LocalDate] as Object[])
            def expiry = p.expirationDate == null ? null : java.time.LocalDate.parse(p.expirationDate)
            if (expiry == null && p.defaultExpiryDays != null && withExpiry) {
                expiry = java.time.LocalDate.now().plusDays(p.defaultExpiryDays as long)
            }
            if (p.expirationDate != null && !withExpiry) {
                return [error: [type: 'unsupported', message: 'an API token expiration date']]
            } else if (withExpiry) {
                uuid = store.addFixedNewToken(p.name, value, expiry)
            } else {
                uuid = store.addFixedNewToken(p.name, value)
            }
        }
    }
    if (t == null && uuid != null) {
        // What ApiTokenProperty.addFixedNewToken does, in two steps so that the UUID is known
        // when the save fails: the token would otherwise authenticate until the next restart
        // with a value that nobody holds. Take it out again by UUID, then fail.
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
    def statsOn = jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
    [ok: [token: tokenRow(u, prop, t, statsOn)]]
}

// renameOneToken renames p.uuid of p.userId to p.name in place (same UUID, same value) and saves
// the user: [ok: [token: row]], or [error: [type: 'userNotFound' | 'tokenNotFound', ...]]. Safe
// to repeat.
def renameOneToken(p) {
    def u = User.getById(p.userId, false)
    if (u == null) {
        return [error: [type: 'userNotFound', message: 'unknown user', userIds: [p.userId]]]
    }
    def prop = u.getProperty(jenkins.security.ApiTokenProperty)
    def store = prop.getTokenStore()
    if (!store.renameToken(p.uuid, p.name)) {
        return [error: [type: 'tokenNotFound', message: 'unknown token', userId: u.getId(), uuid: p.uuid]]
    }
    u.save()
    def t = null
    for (x in store.getTokenListSortedByName()) {
        if (x.getUuid() == p.uuid) {
            t = x
        }
    }
    [ok: [token: tokenRow(u, prop, t, jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled())]]
}

// revokeOneToken revokes the token ref = [userId, uuid, legacy] (see revoke_tokens.groovy) and
// returns [userId, requestedUuid, revokedUuid|null, name|null, legacy, problem|null, userFound].
// Checked afterwards; a failure is the problem, not an exception. Safe to repeat.
def revokeOneToken(ref) {
    def u = User.getById(ref[0], false)
    def prop = u == null ? null : u.getProperty(jenkins.security.ApiTokenProperty)
    if (prop == null) {
        return [u == null ? ref[0] : u.getId(), ref[1], null, null, false, null, u != null]
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
        return [u.getId(), ref[1], null, null, false, null, true]
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
    [u.getId(), ref[1], problem == null ? t.getUuid() : null, t.getName(), legacy, problem, true]
}

// revokeOneTokenByValue revokes the token of p.userId (or of the user the security realm answers
// for it, as the create found it) with the name p.name whose value has the SHA-256 p.hash, made
// at or after p.notBefore (see revoke_token_by_value.groovy), and returns [canonical id|null,
// revoked uuid|null]. Safe to repeat.
def revokeOneTokenByValue(p) {
    def u = User.getById(p.userId, false)
    if (u == null) {
        def r = realmStatus(p.userId)
        if (r[0] == 'known') {
            u = User.getById(r[1], false)
        }
    }
    def prop = u == null ? null : u.getProperty(jenkins.security.ApiTokenProperty)
    def revoked = null
    if (prop != null) {
        def store = prop.getTokenStore()
        byte[] hashed = p.hash.decodeHex()
        // HashedToken.match is findMatchingToken's comparison, given the hash.
        def t = store.getTokenListSortedByName().find { it.match(hashed) }
        if (t != null && !t.isLegacy() && t.getName() == p.name && createdSince(t, p.notBefore)) {
            prop.revokeToken(t.getUuid())
            revoked = t.getUuid()
        }
    }
    [u?.getId(), revoked]
}
