package jenkins.model

import hudson.ExtensionList
import hudson.model.Descriptor

abstract class GlobalConfiguration extends Descriptor<GlobalConfiguration> {
    protected GlobalConfiguration() { super(null) }

    String getId() { getClass().name }

    static ExtensionList<GlobalConfiguration> all() {
        Jenkins.get().getExtensionList(GlobalConfiguration)
    }
}
