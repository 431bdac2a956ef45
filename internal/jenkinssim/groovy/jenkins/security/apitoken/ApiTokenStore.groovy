package jenkins.security.apitoken

import hudson.util.Secret
import jenkinssim.SimClock

import java.security.MessageDigest
import java.security.SecureRandom
import java.time.LocalDate
import java.time.temporal.ChronoUnit
import java.util.regex.Pattern

// All tokens of one user: new (version 11) ones and the hashed copy of the legacy one (version 10).
// Only SHA-256 hashes are kept; the plain value exists once, in generateNewToken's result.
class ApiTokenStore implements Serializable {
    private static final long serialVersionUID = 1L
    private static final SecureRandom RANDOM = new SecureRandom()
    private static final int TOKEN_LENGTH_V2 = 34
    private static final String LEGACY_VERSION = '10'
    private static final String HASH_VERSION = '11'
    private static final String HASH_ALGORITHM = 'SHA-256'
    private static final int VERSION_LENGTH = 2
    private static final int HEX_CHAR_LENGTH = 32
    private static final Pattern CHECK_32_HEX_CHAR = Pattern.compile('[a-f0-9]{32}')

    private List<HashedToken> tokenList = new ArrayList<HashedToken>()

    ApiTokenStore() {}

    synchronized Collection<HashedToken> getTokenListSortedByName() {
        List<HashedToken> copy = new ArrayList<HashedToken>(tokenList)
        // Collections.sort is stable: equal names keep insertion order.
        Collections.sort(copy, new Comparator<HashedToken>() {
            int compare(HashedToken a, HashedToken b) {
                a.name.toLowerCase(Locale.ENGLISH) <=> b.name.toLowerCase(Locale.ENGLISH)
            }
        })
        copy
    }

    /** Renames tokens from the user config form's data ({uuid: {tokenName: ...}}). */
    synchronized void reconfigure(Map<String, Map> tokenStoreDataMap) {
        for (HashedToken t : tokenList) {
            Map data = tokenStoreDataMap.get(t.uuid)
            String name = data == null ? null : (String) data.get('tokenName')
            if (name != null && !name.trim().isEmpty()) {
                t.rename(name)
            }
        }
    }

    synchronized void regenerateTokenFromLegacy(Secret newLegacyApiToken) {
        tokenList.removeAll { HashedToken t -> t.isLegacy() }
        tokenList.add(HashedToken.buildNewFromLegacy(legacyHash(newLegacyApiToken), false))
    }

    synchronized void regenerateTokenFromLegacyIfRequired(Secret newLegacyApiToken) {
        if (!tokenList.any { HashedToken t -> t.isLegacy() }) {
            tokenList.add(HashedToken.buildNewFromLegacy(legacyHash(newLegacyApiToken), true))
        }
    }

    synchronized HashedToken getLegacyToken() {
        tokenList.find { HashedToken t -> t.isLegacy() }
    }

    /** The legacy token a client sends is MD5hex(seed); the store keeps SHA-256 of that string. */
    private static HashValue legacyHash(Secret seed) {
        String md5 = MessageDigest.getInstance('MD5').digest(seed.plainText.getBytes('UTF-8')).encodeHex().toString()
        jenkinssim.SimSecrets.saw(seed.plainText, 'legacy token seed')
        jenkinssim.SimSecrets.saw(md5, 'token value')
        new HashValue(LEGACY_VERSION, sha256Hex(md5))
    }

    private static String sha256Hex(String s) {
        MessageDigest.getInstance(HASH_ALGORITHM).digest(s.getBytes('US-ASCII')).encodeHex().toString()
    }

//#if >=2.548
    synchronized TokenUuidAndPlainValue generateNewToken(String name) {
        generateNewToken(name, null)
    }

    synchronized TokenUuidAndPlainValue generateNewToken(String name, LocalDate expirationDate) {
        byte[] random = new byte[16]
        RANDOM.nextBytes(random)
        String secret = random.encodeHex().toString()
        HashedToken token = HashedToken.buildNew(name, new HashValue(HASH_VERSION, sha256Hex(secret)), expirationDate)
        tokenList.add(token)
        jenkinssim.SimSecrets.saw(HASH_VERSION + secret, 'token value')
        new TokenUuidAndPlainValue(token.uuid, HASH_VERSION + secret, expirationDate, token.isAboutToExpire())
    }

    synchronized String addFixedNewToken(String name, String tokenPlainValue, LocalDate expirationDate) {
        HashedToken token = HashedToken.buildNew(name, checkFixedValue(tokenPlainValue), expirationDate)
        tokenList.add(token)
        token.uuid
    }
//#else
    synchronized TokenUuidAndPlainValue generateNewToken(String name) {
        byte[] random = new byte[16]
        RANDOM.nextBytes(random)
        String secret = random.encodeHex().toString()
        HashedToken token = HashedToken.buildNew(name, new HashValue(HASH_VERSION, sha256Hex(secret)))
        tokenList.add(token)
        jenkinssim.SimSecrets.saw(HASH_VERSION + secret, 'token value')
        new TokenUuidAndPlainValue(token.uuid, HASH_VERSION + secret)
    }

    synchronized String addFixedNewToken(String name, String tokenPlainValue) {
        HashedToken token = HashedToken.buildNew(name, checkFixedValue(tokenPlainValue))
        tokenList.add(token)
        token.uuid
    }
//#end

    /** Validation of addFixedNewToken; the hash is of the lower-cased secret (quirk Q3). */
    private static HashValue checkFixedValue(String tokenPlainValue) {
        if (tokenPlainValue.length() != TOKEN_LENGTH_V2) {
            throw new IllegalArgumentException('The token must consist of 2 characters for the version and 32 hex-characters for the secret')
        }
        String version = tokenPlainValue.substring(0, VERSION_LENGTH)
        if (version != HASH_VERSION) {
            throw new IllegalArgumentException('The given version is not recognized: ' + version)
        }
        String secret = tokenPlainValue.substring(VERSION_LENGTH).toLowerCase(Locale.ENGLISH)
        if (!CHECK_32_HEX_CHAR.matcher(secret).matches()) {
            throw new IllegalArgumentException('The secret part of the token must consist of 32 hex-characters')
        }
        jenkinssim.SimSecrets.saw(tokenPlainValue, 'token value')
        new HashValue(HASH_VERSION, sha256Hex(secret))
    }

    /** Matching rules Q1-Q3: a 34-char input loses its first 2 chars unchecked; anything else is the secret. */
    synchronized HashedToken findMatchingToken(String token) {
        String plain = token.length() == TOKEN_LENGTH_V2 ? token.substring(VERSION_LENGTH) : token
        byte[] hashed = MessageDigest.getInstance(HASH_ALGORITHM).digest(plain.getBytes('US-ASCII'))
        tokenList.find { HashedToken t -> t.match(hashed) }
    }

    synchronized HashedToken revokeToken(String tokenUuid) {
        Iterator<HashedToken> it = tokenList.iterator()
        while (it.hasNext()) {
            HashedToken t = it.next()
            if (t.uuid == tokenUuid) {
                it.remove()
                return t
            }
        }
        null
    }

    synchronized void revokeAllTokens() { tokenList.clear() }

    synchronized void revokeAllTokensExcept(String tokenUuid) {
        tokenList.removeAll { HashedToken t -> t.uuid != tokenUuid }
    }

    synchronized boolean renameToken(String tokenUuid, String newName) {
        HashedToken t = tokenList.find { HashedToken x -> x.uuid == tokenUuid }
        if (t == null) {
            return false
        }
        t.rename(newName)
        true
    }

    static class HashedToken implements Serializable {
        private static final long serialVersionUID = 1L

        private String uuid
        private String name
        private Date creationDate
//#if >=2.548
        private LocalDate expirationDate
//#end
        private HashValue value

        private HashedToken() {}

        private Object readResolve() {
            if (uuid == null) {
                uuid = UUID.randomUUID().toString()
            }
            this
        }

//#if >=2.548
        static HashedToken buildNew(String name, HashValue value, LocalDate expirationDate) {
            HashedToken t = buildNew(name, value)
            t.expirationDate = expirationDate
            t
        }
//#end

        static HashedToken buildNew(String name, HashValue value) {
            HashedToken t = new HashedToken()
            t.uuid = UUID.randomUUID().toString()
            t.name = name
            t.value = value
            t.creationDate = SimClock.now()
            t
        }

        static HashedToken buildNewFromLegacy(HashValue value, boolean migrationFromExistingLegacy) {
            HashedToken t = new HashedToken()
            t.uuid = UUID.randomUUID().toString()
            t.name = 'Legacy Token'
            t.value = value
            t.creationDate = migrationFromExistingLegacy ? null : SimClock.now()
            t
        }

        void rename(String newName) { this.name = newName }

        void setName(String name) { this.name = name }

//#if >=2.548
        boolean isAboutToExpire() {
            expirationDate != null && expirationDate.isBefore(SimClock.today().plusDays(7))
        }

        boolean isExpired() {
            expirationDate != null && expirationDate.isBefore(SimClock.today())
        }

        LocalDate getExpirationDate() { expirationDate }
//#end

        boolean match(byte[] hashedBytes) {
            byte[] stored
            try {
                stored = value.hash.decodeHex()
            } catch (RuntimeException ignored) {
                return false
            }
//#if >=2.548
            MessageDigest.isEqual(stored, hashedBytes) && !isExpired()
//#else
            MessageDigest.isEqual(stored, hashedBytes)
//#end
        }

        String getName() { name }

        Date getCreationDate() { creationDate }

        long getNumDaysCreation() {
            creationDate == null ? 0L : Math.max(0L, ChronoUnit.DAYS.between(SimClock.toLocalDate(creationDate), SimClock.today()))
        }

        String getUuid() { uuid }

        boolean isLegacy() { value.version == LEGACY_VERSION }
    }

    private static class HashValue implements Serializable {
        private static final long serialVersionUID = 1L
        private final String version
        private final String hash

        private HashValue(String version, String hash) {
            this.version = version
            this.hash = hash
        }
    }
}
