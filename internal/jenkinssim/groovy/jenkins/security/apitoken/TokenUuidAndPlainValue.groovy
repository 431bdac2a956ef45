package jenkins.security.apitoken

import java.time.LocalDate
import java.time.format.DateTimeFormatter

// The result of generateNewToken: the only moment the plain value exists.
class TokenUuidAndPlainValue {
    public final String tokenUuid
    public final String plainValue
//#if >=2.548
    public final String expirationDate
    public final boolean aboutToExpire

    TokenUuidAndPlainValue(String tokenUuid, String plainValue, LocalDate expirationDate, boolean aboutToExpire) {
        this.tokenUuid = tokenUuid
        this.plainValue = plainValue
        // Pattern "E, L d u" in the JVM default locale, "Never" (capital N) without expiration.
        this.expirationDate = expirationDate == null ? 'Never' : expirationDate.format(DateTimeFormatter.ofPattern('E, L d u'))
        this.aboutToExpire = aboutToExpire
    }
//#else

    TokenUuidAndPlainValue(String tokenUuid, String plainValue) {
        this.tokenUuid = tokenUuid
        this.plainValue = plainValue
    }
//#end
}
