package jenkins.security.apitoken

import hudson.ExtensionList
import jenkins.model.GlobalConfiguration
import jenkinssim.SimDisk

// The three global API-token switches; every setter saves at once, as in Jenkins.
class ApiTokenPropertyConfiguration extends GlobalConfiguration {
    private static final String FILE = 'jenkins.security.apitoken.ApiTokenPropertyConfiguration.xml'

    private boolean tokenGenerationOnCreationEnabled = false
    private boolean creationOfLegacyTokenEnabled = false
    private boolean usageStatisticsEnabled = true

    static ApiTokenPropertyConfiguration get() {
        GlobalConfiguration.all().get(ApiTokenPropertyConfiguration)
    }

    /** Loads the saved file, or the defaults when there is none. */
    static ApiTokenPropertyConfiguration simLoad() {
        ApiTokenPropertyConfiguration c = new ApiTokenPropertyConfiguration()
        c.load()
        c
    }

    boolean hasExistingConfigFile() { SimDisk.files.containsKey(FILE) }

    boolean isTokenGenerationOnCreationEnabled() { tokenGenerationOnCreationEnabled }

    void setTokenGenerationOnCreationEnabled(boolean v) {
        tokenGenerationOnCreationEnabled = v
        save()
    }

    boolean isCreationOfLegacyTokenEnabled() { creationOfLegacyTokenEnabled }

    void setCreationOfLegacyTokenEnabled(boolean v) {
        creationOfLegacyTokenEnabled = v
        save()
    }

    boolean isUsageStatisticsEnabled() { usageStatisticsEnabled }

    void setUsageStatisticsEnabled(boolean v) {
        usageStatisticsEnabled = v
        save()
    }

    String getDisplayName() { 'API Token' }

    String getCategory() { 'Security' }

    synchronized void save() {
        HashMap<String, Boolean> data = new HashMap<String, Boolean>()
        data.put('tokenGenerationOnCreationEnabled', tokenGenerationOnCreationEnabled)
        data.put('creationOfLegacyTokenEnabled', creationOfLegacyTokenEnabled)
        data.put('usageStatisticsEnabled', usageStatisticsEnabled)
        SimDisk.files.put(FILE, SimDisk.serialize(data))
    }

    synchronized void load() {
        byte[] raw = SimDisk.files.get(FILE)
        if (raw != null) {
            Map<String, Boolean> data = (Map<String, Boolean>) SimDisk.deserialize(raw)
            tokenGenerationOnCreationEnabled = data.tokenGenerationOnCreationEnabled
            creationOfLegacyTokenEnabled = data.creationOfLegacyTokenEnabled
            usageStatisticsEnabled = data.usageStatisticsEnabled
        }
    }
}
