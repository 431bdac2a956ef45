// Reads, and optionally sets, the global API token configuration.
// Parameters: {"marker", "set": null or {"tokenGenerationOnCreationEnabled": bool,
//              "creationOfLegacyTokenEnabled": bool, "usageStatisticsEnabled": bool}}
// Each setter saves, so only values that differ are set. Safe to repeat.
// Prints marker + {"ok":{the three booleans}} + marker.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.apitoken.ApiTokenPropertyConfiguration

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def conf = ApiTokenPropertyConfiguration.get()
if (p.set != null) {
    if (conf.isTokenGenerationOnCreationEnabled() != p.set.tokenGenerationOnCreationEnabled) {
        conf.setTokenGenerationOnCreationEnabled(p.set.tokenGenerationOnCreationEnabled)
    }
    if (conf.isCreationOfLegacyTokenEnabled() != p.set.creationOfLegacyTokenEnabled) {
        conf.setCreationOfLegacyTokenEnabled(p.set.creationOfLegacyTokenEnabled)
    }
    if (conf.isUsageStatisticsEnabled() != p.set.usageStatisticsEnabled) {
        conf.setUsageStatisticsEnabled(p.set.usageStatisticsEnabled)
    }
}
def result = [ok: [
        tokenGenerationOnCreationEnabled: conf.isTokenGenerationOnCreationEnabled(),
        creationOfLegacyTokenEnabled    : conf.isCreationOfLegacyTokenEnabled(),
        usageStatisticsEnabled          : conf.isUsageStatisticsEnabled()]]
print(p.marker + JsonOutput.toJson(result) + p.marker)
return null
