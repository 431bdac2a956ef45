// Command jenkins-sim serves the Jenkins simulator until interrupted.
//
//	go run ./internal/jenkinssim/cmd/jenkins-sim --listen 127.0.0.1:8080 --admin admin:admin \
//	    [--context-path /jenkins] [--version 2.579] [--tls-cert f --tls-key f]
//	    [--timezone UTC] [--id-strategy case-insensitive|case-sensitive|case-sensitive-email]
//	    [--realm-lookup supported|unsupported] [--realm-directory none|ldap|active-directory]
//	    [--realm-latency 10ms] [--save-latency 20ms] [--proxy-timeout 60s]
//	    [--realm-respell none|lowercase] [--plugin shortName[:version] ...]
//	    [-D name=value ...]
//	    [--controllers N [--controller I:key=value,... ...]]
//
// --controllers N starts a fleet of N controllers in one JVM, sharing the other flags, and
// prints one "jenkins-sim listening on <URL>" line per controller, in order. Controller I
// (0 to N-1) listens on the --listen port + I (a port of 0: each on a free port).
// --controller I:key=value,... overrides the shared flags for controller I; keys: version,
// admin (user:password), context-path, id-strategy, plugin (repeatable within the flag: the
// list replaces the shared --plugin list; "plugin=" alone: none).
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on (loopback)")
	admin := flag.String("admin", "admin:admin", "admin user and password as user:password")
	contextPath := flag.String("context-path", "", "serve Jenkins under this path, e.g. /jenkins")
	version := flag.String("version", "2.579", "Jenkins version to simulate")
	tlsCert := flag.String("tls-cert", "", "PEM certificate file (serve HTTPS)")
	tlsKey := flag.String("tls-key", "", "PKCS#8 PEM private key file")
	timeZone := flag.String("timezone", "UTC", "the simulated JVM's time zone (IANA name): Jenkins's today")
	realmLookup := flag.String("realm-lookup", "supported", "unsupported: the realm cannot look users up (UserMayOrMayNotExistException2), as many SSO realms")
	realmDirectory := flag.String("realm-directory", "none", "ldap or active-directory: the realm's lookups write user records as those plugins do (a save per lookup, see SetRealmDirectory)")
	realmLatency := flag.Duration("realm-latency", 0, "how long each realm lookup takes, as a directory round trip (e.g. 10ms)")
	saveLatency := flag.Duration("save-latency", 0, "how long each save of a user record takes, as a slow disk (e.g. 20ms)")
	proxyTimeout := flag.Duration("proxy-timeout", 0, "also start a proxy with this read timeout in front (nginx's 504 after it, e.g. 60s) and print its URL")
	realmRespell := flag.String("realm-respell", "none", "lowercase: the realm answers lookups with the name lower-cased, as the ldap plugin with forceUsernameLowercase")
	idStrategy := flag.String("id-strategy", "case-insensitive", "user id strategy: case-insensitive, case-sensitive or case-sensitive-email")
	props := map[string]string{}
	flag.Func("D", "a Jenkins system property as name=value, e.g. hudson.model.User.allowNonExistentUserToLogin=true (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fmt.Errorf("want name=value, got %q", v)
		}
		props[k] = val
		return nil
	})
	var plugins []string
	flag.Func("plugin", "a plugin reported as installed and active, shortName or shortName:version, e.g. operations-center-server (repeatable)", func(v string) error {
		plugins = append(plugins, v)
		return nil
	})
	controllers := flag.Int("controllers", 1, "how many controllers to start in the one JVM (a fleet)")
	var overrides []string
	flag.Func("controller", "I:key=value,...: controller I's own version, admin, context-path, id-strategy or plugin (repeatable)", func(v string) error {
		overrides = append(overrides, v)
		return nil
	})
	flag.Parse()

	user, password, ok := strings.Cut(*admin, ":")
	if !ok || user == "" {
		fmt.Fprintln(os.Stderr, "jenkins-sim: --admin must be user:password")
		os.Exit(2)
	}
	shared := jenkinssim.Options{
		AdminUser:        user,
		AdminPassword:    password,
		ContextPath:      *contextPath,
		Version:          *version,
		TLSCertFile:      *tlsCert,
		TLSKeyFile:       *tlsKey,
		TimeZone:         *timeZone,
		IDStrategy:       *idStrategy,
		RealmLookup:      *realmLookup,
		RealmDirectory:   *realmDirectory,
		RealmLatency:     *realmLatency,
		SaveLatency:      *saveLatency,
		RealmRespell:     *realmRespell,
		SystemProperties: props,
		Plugins:          plugins,
		Log:              os.Stderr,
	}
	opts, err := fleetOptions(shared, *listen, *controllers, overrides)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fleet, err := jenkinssim.StartFleet(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
		os.Exit(1)
	}
	for _, sim := range fleet.Controllers {
		fmt.Println("jenkins-sim listening on " + sim.URL)
	}
	if *proxyTimeout > 0 {
		for _, sim := range fleet.Controllers {
			proxy, err := sim.Proxy(*proxyTimeout)
			if err != nil {
				fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
				fleet.Close()
				os.Exit(1)
			}
			defer proxy.Close()
			fmt.Printf("jenkins-sim proxy listening on %s (read timeout %s)\n", proxy.URL, *proxyTimeout)
		}
	}
	select {
	case <-ctx.Done():
	case <-fleet.Controllers[0].Done():
		fmt.Fprintln(os.Stderr, "jenkins-sim: the JVM exited")
		os.Exit(1)
	}
	if err := fleet.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
	}
}

// fleetOptions gives n controllers the shared options, controller i listening on listen's
// port + i (port 0: each on a free port), then applies the --controller overrides.
func fleetOptions(shared jenkinssim.Options, listen string, n int, overrides []string) ([]jenkinssim.Options, error) {
	if n < 1 {
		return nil, fmt.Errorf("--controllers %d: want 1 or more", n)
	}
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: %w", listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port+n-1 > 65535 {
		return nil, fmt.Errorf("--listen %q: want a port from 0 to %d", listen, 65536-n)
	}
	opts := make([]jenkinssim.Options, n)
	for i := range opts {
		opts[i] = shared
		p := 0
		if port != 0 {
			p = port + i
		}
		opts[i].Listen = net.JoinHostPort(host, strconv.Itoa(p))
	}
	for _, o := range overrides {
		if err := override(opts, o); err != nil {
			return nil, fmt.Errorf("--controller %q: %w", o, err)
		}
	}
	return opts, nil
}

// override applies one --controller I:key=value,... to opts[I].
func override(opts []jenkinssim.Options, spec string) error {
	index, pairs, ok := strings.Cut(spec, ":")
	i, err := strconv.Atoi(index)
	if !ok || err != nil || i < 0 || i >= len(opts) {
		return fmt.Errorf("want I:key=value,... with I from 0 to %d", len(opts)-1)
	}
	o := &opts[i]
	var plugins []string
	pluginsSet := false
	for _, pair := range strings.Split(pairs, ",") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return fmt.Errorf("%q: want key=value", pair)
		}
		switch key {
		case "version":
			o.Version = value
		case "context-path":
			o.ContextPath = value
		case "id-strategy":
			o.IDStrategy = value
		case "admin":
			user, password, ok := strings.Cut(value, ":")
			if !ok || user == "" {
				return fmt.Errorf("admin must be user:password")
			}
			o.AdminUser, o.AdminPassword = user, password
		case "plugin":
			pluginsSet = true
			if value != "" {
				plugins = append(plugins, value)
			}
		default:
			return fmt.Errorf("unknown key %q: want version, admin, context-path, id-strategy or plugin", key)
		}
	}
	if pluginsSet {
		o.Plugins = plugins
	}
	return nil
}
