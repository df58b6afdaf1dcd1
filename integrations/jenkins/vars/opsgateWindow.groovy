// opsgateWindow: refuse to deploy outside the release window.
//
//   opsgateWindow(env: 'production')                      // error() when closed
//   opsgateWindow(env: 'production', wait: '2h')          // wait for an opening within 2 h
//   opsgateWindow(env: 'production', emergency: params.EMERGENCY_REASON)
//
// Runs `opsgate window` (exit 0 open, 1 closed, 2 error); closed or error stops the pipeline
// with error(), so the deploy steps after it do not run. Parameters: env, rules (String or List),
// rev, wait, emergency, opsgate (the binary), extraArgs (List), protectedBranches.
// On a protected branch (see opsgate.groovy) extraArgs may only hold output flags and an
// emergency is honoured only in a build started by a user; who asked is recorded
// (BUILD_USER_ID, else the user who started the build).

def call(Map args = [:]) {
    String environment = args.env ?: 'production'
    Map guard = opsgate.opsgateGuard(args)
    List<String> cmd = [args.opsgate ?: 'opsgate', 'window', '--env', environment, '--no-color']
    if (args.rev) {
        cmd += ['--rev', args.rev.toString()]
    }
    List rules = args.rules == null ? [] : (args.rules instanceof List ? args.rules : [args.rules])
    for (def source in rules) {
        cmd += ['--rules', source.toString()]
    }
    if (args.wait) {
        cmd += ['--wait', args.wait.toString()]
    }
    if (args.emergency) {
        cmd += ['--emergency', args.emergency.toString()]
    }
    for (def extra in (args.extraArgs ?: [])) {
        cmd += [extra.toString()]
    }
    int status = sh(label: 'opsgate window', returnStatus: true,
                    script: (guard.user ? "BUILD_USER_ID='" + guard.user.replace("'", "'\"'\"'") + "' " : '') + cmd.collect { "'" + it.toString().replace("'", "'\"'\"'") + "'" }.join(' '))
    if (status == 0) {
        echo("opsgate: release window open for ${environment}")
        return 0
    }
    if (status == 1) {
        error("opsgate: the release window for ${environment} is closed: not deploying " +
              '(an emergency change can pass emergency: REASON)')
    }
    error("opsgate: could not evaluate the release window (exit ${status}); not deploying")
    return status
}
