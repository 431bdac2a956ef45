package hudson

// The plugins the simulated controller reports as installed (Options.Plugins): Jenkins's
// PluginManager.getPlugins() and getPlugin(String shortName), nothing else of it. No plugin code
// runs: a plugin here is its wrapper, active and enabled.
abstract class PluginManager {
    private final List<PluginWrapper> plugins

    /** Simulator-only: the wrappers this manager reports, in this order. */
    protected PluginManager(List<PluginWrapper> plugins) {
        this.plugins = Collections.unmodifiableList(new ArrayList<PluginWrapper>(plugins))
    }

    /** All discovered plugins (PluginManager.java: an unmodifiable list). */
    List<PluginWrapper> getPlugins() { plugins }

    /** The plugin with this short name (exact match), or null. */
    PluginWrapper getPlugin(String shortName) {
        for (PluginWrapper p : getPlugins()) {
            if (p.getShortName().equals(shortName)) {
                return p
            }
        }
        null
    }
}
