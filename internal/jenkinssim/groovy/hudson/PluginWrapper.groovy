package hudson

// One installed plugin as Jenkins describes it: getShortName(), getVersion(), isActive(),
// isEnabled() and getPlugin() (Jenkins.getPlugin(String) answers with it). Every simulated
// plugin is active and enabled, and its Plugin is a Plugin.DummyImpl, as for a plugin that
// declares no Plugin class.
class PluginWrapper {
    private final String shortName
    private final String version
    private final Plugin plugin

    /** Simulator-only (Jenkins reads both from the plugin's manifest). */
    PluginWrapper(String shortName, String version) {
        this.shortName = shortName
        this.version = version
        this.plugin = new Plugin.DummyImpl()
        this.plugin.@wrapper = this
    }

    String getShortName() { shortName }

    String getVersion() { version }

    Plugin getPlugin() { plugin }

    boolean isActive() { true }

    boolean isEnabled() { true }
}
