package jenkinssim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fleet is one JVM running several simulated controllers, each an independent Jenkins with
// its own listener, users, tokens, disk, settings, clock, faults, stats and audit log.
type Fleet struct {
	Controllers []*Sim // in the order of StartFleet's options

	jvm *jvm
}

// StartFleet starts one JVM running one controller per element of controllers and returns once
// every one answers. Each controller runs in its own class loader over the stand-in classes
// (compiled once per distinct Version), so no state is shared between them. TLSCertFile,
// TLSKeyFile, TimeZone, SystemProperties and Log belong to the JVM: they must be equal for every
// controller, and a zero value takes the first controller's.
func StartFleet(ctx context.Context, controllers []Options) (*Fleet, error) {
	opts, err := fleetOptions(controllers)
	if err != nil {
		return nil, err
	}
	javaBin, err := findJava()
	if err != nil {
		return nil, err
	}
	groovyLib, err := findGroovyLib()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "jenkinssim-")
	if err != nil {
		return nil, fmt.Errorf("jenkinssim: %w", err)
	}
	config, err := bootConfig(dir, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	j, readyCh, err := startJVM(javaBin, groovyLib, dir, opts[0], config, len(opts))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	f := &Fleet{jvm: j}
	ports, err := j.waitPorts(ctx, readyCh, len(opts))
	if err != nil {
		j.close()
		return nil, err
	}
	for i, o := range opts {
		s := newControllerSim(j, i, o, ports[i])
		if err := s.WaitReady(ctx); err != nil {
			j.close()
			return nil, err
		}
		f.Controllers = append(f.Controllers, s)
	}
	return f, nil
}

// Close ends the JVM (every controller) and removes its temporary directory.
func (f *Fleet) Close() error { return f.jvm.close() }

// CPUTime is the CPU time (user and system) the fleet's JVM has used so far, from
// /proc/<pid>/stat (Linux; an error elsewhere). A benchmark subtracts two readings to tell the
// simulator's own work (compiling and running every script of every controller, on this
// machine's cores) from the client's: on a real fleet each controller runs its scripts on its
// own machine.
func (f *Fleet) CPUTime() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", f.jvm.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("jenkinssim: the JVM's CPU time: %w", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: fields 14 and 15 (utime,
	// stime, in clock ticks of 1/100 s on Linux) count from the closing one.
	rest := string(raw)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("jenkinssim: unexpected /proc stat line %q", raw)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("jenkinssim: unexpected /proc stat line %q", raw)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// SetReachable false makes the controller unreachable, as one that is down or cut off by the
// network: its listener closes, so connections to its port are refused and requests in
// progress are cut; nothing else changes (its state, faults and clock stay, scripts already
// running end normally). true listens on the same port again. The command goes through the
// JVM's control channel (its standard input, see Boot.groovy), not through the controller's
// listener, so it works while the controller is unreachable. Idempotent.
func (s *Sim) SetReachable(ctx context.Context, reachable bool) error {
	return s.jvm.command(ctx, "reachable "+strconv.Itoa(s.index)+" "+strconv.FormatBool(reachable))
}

func newControllerSim(j *jvm, index int, o Options, port string) *Sim {
	host, _, _ := net.SplitHostPort(o.Listen) // checked by withDefaults
	scheme := "http"
	if o.TLSCertFile != "" {
		scheme = "https"
	}
	hostPort := net.JoinHostPort(host, port)
	s := &Sim{
		RootURL:       scheme + "://" + hostPort + "/",
		URL:           scheme + "://" + hostPort + o.ContextPath + "/",
		AdminUser:     o.AdminUser,
		AdminPassword: o.AdminPassword,
		tlsCertFile:   o.TLSCertFile,
		tlsKeyFile:    o.TLSKeyFile,
		jvm:           j,
		index:         index,
	}
	s.client = newSimClient(s, o.TLSCertFile != "")
	return s
}

// startTimeoutFor is how long StartFleet waits for n controllers to be ready.
func startTimeoutFor(n int) time.Duration {
	return startTimeout + time.Duration(n-1)*startTimeoutPerController
}

// fleetOptions applies the defaults to every controller's options and checks that the
// JVM-wide ones agree.
func fleetOptions(controllers []Options) ([]Options, error) {
	if len(controllers) == 0 {
		return nil, errors.New("jenkinssim: a fleet needs at least one controller")
	}
	first, err := controllers[0].withDefaults()
	if err != nil {
		return nil, err
	}
	out := []Options{first}
	listens := map[string]int{first.Listen: 0}
	for i, c := range controllers[1:] {
		i++
		if err := jvmWide(&c, first); err != nil {
			return nil, fmt.Errorf("jenkinssim: controller %d: %w", i, err)
		}
		c, err := c.withDefaults()
		if err != nil {
			return nil, fmt.Errorf("%w (controller %d)", err, i)
		}
		if prev, ok := listens[c.Listen]; ok && !strings.HasSuffix(c.Listen, ":0") {
			return nil, fmt.Errorf("jenkinssim: controllers %d and %d both listen on %s", prev, i, c.Listen)
		}
		listens[c.Listen] = i
		out = append(out, c)
	}
	return out, nil
}

// jvmWide gives c the first controller's JVM-wide options where c leaves them zero, and fails
// where c sets them otherwise.
func jvmWide(c *Options, first Options) error {
	if c.TimeZone == "" {
		c.TimeZone = first.TimeZone
	} else if c.TimeZone != first.TimeZone {
		return fmt.Errorf("TimeZone %q differs from the first controller's %q: the time zone is the JVM's", c.TimeZone, first.TimeZone)
	}
	if c.TLSCertFile == "" && c.TLSKeyFile == "" {
		c.TLSCertFile, c.TLSKeyFile = first.TLSCertFile, first.TLSKeyFile
	} else if c.TLSCertFile != first.TLSCertFile || c.TLSKeyFile != first.TLSKeyFile {
		return errors.New("TLSCertFile/TLSKeyFile differ from the first controller's: the JVM serves every controller with one certificate")
	}
	if len(c.SystemProperties) == 0 {
		c.SystemProperties = first.SystemProperties
	} else if !maps.Equal(c.SystemProperties, first.SystemProperties) {
		return errors.New("SystemProperties differ from the first controller's: system properties are the JVM's")
	}
	if c.Log == nil {
		c.Log = first.Log
	} else if !sameWriter(c.Log, first.Log) {
		return errors.New("the Log writer differs from the first controller's: the JVM has one output")
	}
	return nil
}

// sameWriter reports whether a and b are the same writer (false for writers that cannot be
// compared).
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// defaultPluginVersion is the version of a plugin named without one in Options.Plugins.
const defaultPluginVersion = "1.0"

var (
	pluginName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	pluginVersion = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
)

// withDefaults fills in the zero options and checks the others.
func (o Options) withDefaults() (Options, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return o, fmt.Errorf("jenkinssim: listen address %q: %w", o.Listen, err)
	}
	if o.AdminUser == "" {
		o.AdminUser = "admin"
	}
	if o.AdminPassword == "" {
		o.AdminPassword = "admin"
	}
	if strings.Contains(o.AdminUser, ":") {
		return o, fmt.Errorf("jenkinssim: admin user %q: no colon allowed", o.AdminUser)
	}
	if o.Version == "" {
		o.Version = "2.579"
	}
	if o.ContextPath != "" {
		o.ContextPath = "/" + strings.Trim(o.ContextPath, "/")
	}
	if o.TimeZone == "" {
		o.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil {
		return o, fmt.Errorf("jenkinssim: time zone %q: %w", o.TimeZone, err)
	}
	if o.IDStrategy == "" {
		o.IDStrategy = "case-insensitive"
	}
	switch o.IDStrategy {
	case "case-insensitive", "case-sensitive", "case-sensitive-email":
	default:
		return o, fmt.Errorf("jenkinssim: id strategy %q: want case-insensitive, case-sensitive or case-sensitive-email", o.IDStrategy)
	}
	if o.RealmLookup == "" {
		o.RealmLookup = "supported"
	}
	if o.RealmLookup != "supported" && o.RealmLookup != "unsupported" {
		return o, fmt.Errorf("jenkinssim: realm lookup %q: want supported or unsupported", o.RealmLookup)
	}
	if o.RealmDirectory == "" {
		o.RealmDirectory = "none"
	}
	if o.RealmDirectory != "none" && o.RealmDirectory != "ldap" && o.RealmDirectory != "active-directory" {
		return o, fmt.Errorf("jenkinssim: realm directory %q: want none, ldap or active-directory", o.RealmDirectory)
	}
	if err := checkLatency(o.RealmLatency, o.SaveLatency); err != nil {
		return o, err
	}
	if o.RealmRespell == "" {
		o.RealmRespell = "none"
	}
	if o.RealmRespell != "none" && o.RealmRespell != "lowercase" {
		return o, fmt.Errorf("jenkinssim: realm respell %q: want none or lowercase", o.RealmRespell)
	}
	if (o.TLSCertFile == "") != (o.TLSKeyFile == "") {
		return o, errors.New("jenkinssim: TLSCertFile and TLSKeyFile go together")
	}
	for k := range o.SystemProperties {
		if k == "" || strings.ContainsAny(k, "= ") {
			return o, fmt.Errorf("jenkinssim: system property name %q", k)
		}
	}
	plugins := make([]string, 0, len(o.Plugins))
	seen := map[string]bool{}
	for _, p := range o.Plugins {
		name, version, ok := strings.Cut(p, ":")
		if !ok {
			version = defaultPluginVersion
		}
		if !pluginName.MatchString(name) || !pluginVersion.MatchString(version) || seen[name] {
			return o, fmt.Errorf("jenkinssim: plugin %q: want a new shortName or shortName:version (letters, digits, . _ -)", p)
		}
		seen[name] = true
		plugins = append(plugins, name+":"+version)
	}
	o.Plugins = plugins
	return o, nil
}

// controllerArgs are the arguments of SimServer.start for o (defaults applied).
func (o Options) controllerArgs() []string {
	args := []string{
		"--listen", o.Listen, "--version", o.Version, "--id-strategy", o.IDStrategy, "--realm-lookup", o.RealmLookup,
		"--realm-directory", o.RealmDirectory,
		"--realm-latency-ms", latencyMS(o.RealmLatency), "--save-latency-ms", latencyMS(o.SaveLatency),
		"--realm-respell", o.RealmRespell,
	}
	if o.ContextPath != "" {
		args = append(args, "--context-path", o.ContextPath)
	}
	if o.TLSCertFile != "" {
		args = append(args, "--tls-cert", o.TLSCertFile, "--tls-key", o.TLSKeyFile)
	}
	if len(o.Plugins) > 0 {
		args = append(args, "--plugins", strings.Join(o.Plugins, ","))
	}
	return args
}

// bootConfig writes one source tree per distinct version under dir and returns Boot.groovy's
// configuration (its first line of input, see there). It holds the admin passwords, so it goes
// through the JVM's standard input, never argv or the environment.
func bootConfig(dir string, opts []Options) ([]byte, error) {
	type source struct {
		Dir     string `json:"dir"`
		Classes string `json:"classes"`
	}
	type controller struct {
		Source int      `json:"source"`
		Admin  string   `json:"admin"`
		Args   []string `json:"args"`
	}
	var cfg struct {
		Sources     []source     `json:"sources"`
		Controllers []controller `json:"controllers"`
	}
	sourceOf := map[string]int{}
	for _, o := range opts {
		k, ok := sourceOf[o.Version]
		if !ok {
			k = len(cfg.Sources)
			sourceOf[o.Version] = k
			src := filepath.Join(dir, "src", strconv.Itoa(k))
			if err := writeSources(src, o.Version); err != nil {
				return nil, err
			}
			cfg.Sources = append(cfg.Sources, source{Dir: src, Classes: filepath.Join(dir, "classes", strconv.Itoa(k))})
		}
		cfg.Controllers = append(cfg.Controllers, controller{Source: k, Admin: o.AdminUser + ":" + o.AdminPassword, Args: o.controllerArgs()})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// jvm is the simulated JVM and its control channel: commands on its standard input, answers
// (and the controllers' ready lines) on its standard output.
type jvm struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	dir   string
	done  chan struct{}

	closeMu sync.Mutex
	closed  bool

	ctlMu   sync.Mutex // guards writes to stdin, seq and pending
	seq     int
	pending map[int]chan error
}

var (
	readyLine = regexp.MustCompile(`^jenkins-sim ready controller=(\d+) port=(\d+)$`)
	ctlLine   = regexp.MustCompile(`^jenkins-sim ctl (\d+) (ok|error)(?: (.*))?$`)
)

// startJVM starts Boot.groovy with the JVM-wide options of first and sends it config. The
// channel receives each of the n controllers' ready lines as [index, port]; it closes when the
// JVM's output ends.
func startJVM(javaBin, groovyLib, dir string, first Options, config []byte, n int) (*jvm, <-chan [2]string, error) {
	args := []string{
		// A small, quick-starting JVM: the simulator holds little state.
		"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss4m", "-Xshare:auto",
		"-Djava.awt.headless=true",
		// Jenkins's "today" (LocalDate.now() in HashedToken.isExpired) is the JVM's default zone.
		"-Duser.timezone=" + first.TimeZone,
	}
	// Sorted, so that a run's command line does not depend on map order.
	props := make([]string, 0, len(first.SystemProperties))
	for k := range first.SystemProperties {
		props = append(props, k)
	}
	sort.Strings(props)
	for _, k := range props {
		args = append(args, "-D"+k+"="+first.SystemProperties[k])
	}
	args = append(args,
		"-cp", filepath.Join(groovyLib, "*"),
		"groovy.ui.GroovyMain", filepath.Join(dir, "src", "0", "boot", "Boot.groovy"),
	)
	cmd := exec.Command(javaBin, args...)
	cmd.Dir = dir
	setDeathSignal(cmd)
	logw := first.Log
	if logw == nil {
		logw = io.Discard
	}
	cmd.Stderr = logw
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("jenkinssim: %w", err)
	}
	// The JVM exits when this pipe closes: no orphan if the Go process dies.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("jenkinssim: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("jenkinssim: starting java: %w", err)
	}
	j := &jvm{cmd: cmd, stdin: stdin, dir: dir, done: make(chan struct{}), pending: map[int]chan error{}}
	go func() {
		// The exit status says nothing close does not already know: the JVM is gone.
		_ = cmd.Wait()
		close(j.done)
	}()
	readyCh := make(chan [2]string, n)
	go j.readOutput(stdout, logw, readyCh)
	if _, err := stdin.Write(config); err != nil {
		j.close()
		return nil, nil, fmt.Errorf("jenkinssim: sending the configuration: %w", err)
	}
	return j, readyCh, nil
}

// readOutput routes the JVM's standard output: ready lines to readyCh, control answers to their
// callers, anything else to logw.
func (j *jvm) readOutput(stdout io.Reader, logw io.Writer, readyCh chan<- [2]string) {
	defer close(readyCh)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if m := readyLine.FindStringSubmatch(line); m != nil {
			readyCh <- [2]string{m[1], m[2]}
			continue
		}
		if m := ctlLine.FindStringSubmatch(line); m != nil {
			seq, _ := strconv.Atoi(m[1])
			j.ctlMu.Lock()
			ch := j.pending[seq]
			delete(j.pending, seq)
			j.ctlMu.Unlock()
			if ch != nil {
				if m[2] == "ok" {
					ch <- nil
				} else {
					ch <- fmt.Errorf("jenkinssim: %s", m[3])
				}
				continue
			}
		}
		fmt.Fprintln(logw, line)
	}
}

// waitPorts waits for the ready lines of n controllers and returns their ports by index.
func (j *jvm) waitPorts(ctx context.Context, readyCh <-chan [2]string, n int) ([]string, error) {
	ports := make([]string, n)
	timeout := startTimeoutFor(n)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for got := 0; got < n; {
		select {
		case r, ok := <-readyCh:
			if !ok {
				return nil, errors.New("jenkinssim: the JVM exited before it was ready (set Options.Log to see why)")
			}
			i, _ := strconv.Atoi(r[0])
			if i < 0 || i >= n || ports[i] != "" {
				return nil, fmt.Errorf("jenkinssim: unexpected ready line for controller %s", r[0])
			}
			ports[i] = r[1]
			got++
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, fmt.Errorf("jenkinssim: not ready after %s", timeout)
		}
	}
	return ports, nil
}

// command sends one control command and waits for its answer.
func (j *jvm) command(ctx context.Context, cmd string) error {
	ch := make(chan error, 1)
	j.ctlMu.Lock()
	j.seq++
	seq := j.seq
	j.pending[seq] = ch
	_, err := fmt.Fprintf(j.stdin, "%d %s\n", seq, cmd)
	if err != nil {
		delete(j.pending, seq)
	}
	j.ctlMu.Unlock()
	if err != nil {
		return fmt.Errorf("jenkinssim: control channel: %w", err)
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		j.ctlMu.Lock()
		delete(j.pending, seq)
		j.ctlMu.Unlock()
		return ctx.Err()
	case <-j.done:
		return errors.New("jenkinssim: the JVM exited")
	}
}

// close ends the JVM and removes the temporary directory.
func (j *jvm) close() error {
	j.closeMu.Lock()
	defer j.closeMu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	j.ctlMu.Lock()
	j.stdin.Close()
	j.ctlMu.Unlock()
	select {
	case <-j.done:
	case <-time.After(3 * time.Second):
		_ = j.cmd.Process.Kill() // it may have exited meanwhile; done tells
		<-j.done
	}
	return os.RemoveAll(j.dir)
}
