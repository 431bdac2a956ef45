package hudson

import groovy.transform.PackageScope

// The singleton a plugin contributes; here always a DummyImpl (what Jenkins gives a plugin that
// declares no Plugin class), which serves getWrapper().
abstract class Plugin {
    /** Set by PluginWrapper, as Jenkins's PluginWrapper.setPlugin does (package-private, as in Jenkins). */
    @PackageScope
    transient PluginWrapper wrapper

    @Deprecated
    protected Plugin() {}

    PluginWrapper getWrapper() { wrapper }

    static final class DummyImpl extends Plugin {}
}
