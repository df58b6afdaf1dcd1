// opsgate: the operability gate as a Jenkins shared-library step.
//
//   opsgate(env: 'production', minLevel: 3)
//   opsgate(env: 'production', rules: ['baseline', '/etc/opsgate/acme'], repoRules: '.opsgate/rules',
//           failOn: 'warning', onFailure: 'UNSTABLE')
//
// Runs `opsgate check --stage merge` with sh(returnStatus: true), so the reports are recorded
// whatever the verdict: JUnit (`junit`), SARIF for the Warnings NG plugin (`recordIssues`), all
// reports archived. Then, by exit code:
//   0  gate passed: nothing else.
//   1  gate failed: the build result becomes `onFailure` ('FAILURE', the default, or
//      'UNSTABLE'); with 'FAILURE' the step then stops the pipeline with error() so that
//      later stages (deploy) do not run (`stopOnFailure: false` only sets the result).
//   2  opsgate could not evaluate: error() with the reason; never a pass.
// Returns the exit code (when it does not stop the pipeline).
//
// Change-aware in multibranch pull/merge-request builds: CHANGE_TARGET gives
// `--base refs/remotes/origin/$CHANGE_TARGET` (fetched when the checkout lacks it), and `repoRules`, the
// repository's own pack, is read from that target side (`refs/remotes/origin/main:.opsgate/rules`) so a change
// cannot relax the rules that judge it.
//
// Parameters (all optional):
//   env          target environment (--env)                          'production'
//   rules        rule packs (--rules), a String or a List             opsgate's default (baseline)
//   repoRules    path of the repository's own pack, read from the base side when there is a
//                base and from the commit otherwise; skipped when absent
//   minLevel     --min-level N
//   failOn       'error' or 'warning' (--fail-on)                     'error'
//   onFailure    build result on exit 1: 'FAILURE' or 'UNSTABLE'     'FAILURE'
//   stopOnFailure  error() after a failed gate                        onFailure == 'FAILURE'
//   base         --base REV (overrides the CHANGE_TARGET default; '' disables)
//   fetchTarget  fetch origin/$CHANGE_TARGET when missing             true
//   rev          --rev REV                                            HEAD
//   postStatus   commit status provider ('github', 'gitlab', 'gitea', 'bitbucket') or null;
//                needs that provider's token in the environment (withCredentials)
//   statusSha    --status-sha                                         GIT_COMMIT
//   targetUrl    --target-url                                         BUILD_URL
//   reportDir    where the reports go (a relative path; removed and recreated, and a committed
//                symlink there is refused, so reports never go through it)  'opsgate-report'
//   opsgate      the binary                                           'opsgate'
//   extraArgs    List of more options (e.g. ['--verbose']); see protected branches below
//   emergency    an emergency change's reason (--emergency: release-window rules waived)
//   protectedBranches  branch patterns (String or List, `*` any characters)  ['main', 'master']
//
// Stages (issue 18): this step judges at the merge stage (rules that apply only at deploy, such as
// the baseline's release window WIN-003, are not asked); opsgateDeploy judges at the deploy stage.
// The stage is the step's, never a parameter, and extraArgs may not hold --stage (any branch).
//
// Protected branches (issue 16: a change cannot walk around its gate). When the branch built, or
// the target of the change (CHANGE_TARGET, else BRANCH_NAME; neither set counts as protected)
// matches `protectedBranches`:
//   - extraArgs may only hold --verbose, --quiet, --no-color, --timings; anything else (--emergency,
//     --rules, --manifest in any spelling, --at, ...) stops the build with error() (exit 2);
//   - `emergency` is honoured only in a build started by a user (a UserIdCause: "Build with
//     Parameters"); otherwise error().
// Who asked for an emergency: env.BUILD_USER_ID (the Build User Vars plugin, inside
// `wrap([$class: 'BuildUser'])`), else the user who started the build
// (currentBuild.getBuildCauses), passed to opsgate as BUILD_USER_ID and recorded in its report.

def call(Map args = [:]) {
    return runCheck(args, 'merge')
}

// `opsgate check` at STAGE ('merge' for this step, 'deploy' for opsgateDeploy): the steps fix
// the stage, a parameter never does. At deploy a failed gate always stops the pipeline, the
// base is only the one given (no CHANGE_TARGET default: every service is judged anyway), and the
// reports go to their own directory and Warnings NG id, so both steps can run in one build.
int runCheck(Map args, String stage) {
    boolean deploy = stage == 'deploy'
    String bin = args.opsgate ?: 'opsgate'
    String environment = args.env ?: 'production'
    String failOn = args.failOn ?: 'error'
    String onFailure = (args.onFailure ?: 'FAILURE').toString().toUpperCase()
    if (!(onFailure in ['FAILURE', 'UNSTABLE'])) {
        error("opsgate: onFailure must be 'FAILURE' or 'UNSTABLE', not '${onFailure}'")
    }
    boolean stopOnFailure = args.containsKey('stopOnFailure') ? (args.stopOnFailure as boolean) : onFailure == 'FAILURE'
    String dir = args.reportDir ?: (deploy ? 'opsgate-deploy-report' : 'opsgate-report')
    if (dir.startsWith('/') || ('/' + dir + '/').contains('/../') || dir == '.') {
        currentBuild.result = 'FAILURE'
        error("opsgate: REFUSED: reportDir '${dir}' must be a relative path inside the workspace")
    }
    Map guard = opsgateGuard(args)

    String base = null
    if (args.containsKey('base')) {
        base = args.base ?: null
    } else if (!deploy && env.CHANGE_TARGET) {
        // The full name: a pushed tag named origin/<target> must not stand in for it.
        base = "refs/remotes/origin/${env.CHANGE_TARGET}"
        boolean fetch = args.containsKey('fetchTarget') ? (args.fetchTarget as boolean) : true
        if (fetch) {
            String target = env.CHANGE_TARGET
            sh(label: 'opsgate: fetch the change target', returnStatus: true,
               script: "git rev-parse --verify -q ${q(base + '^{commit}')} >/dev/null || " +
                       "git fetch --no-tags origin ${q('+refs/heads/' + target + ':refs/remotes/origin/' + target)}")
        }
    }

    List<String> cmd = [bin, 'check', '--stage', stage, '--env', environment, '--fail-on', failOn, '--no-color']
    if (args.rev) {
        cmd += ['--rev', args.rev.toString()]
    }
    if (base) {
        cmd += ['--base', base]
    }
    List rules = args.rules == null ? [] : (args.rules instanceof List ? args.rules : [args.rules])
    for (def source in rules) {
        cmd += ['--rules', source.toString()]
    }
    if (args.repoRules) {
        String rulesRev = base ?: (args.rev ? args.rev.toString() : 'HEAD')
        String source = "${rulesRev}:${args.repoRules}"
        int found = sh(label: 'opsgate: look for the repository pack', returnStatus: true,
                       script: "git cat-file -e ${q(source)}")
        if (found == 0) {
            cmd += ['--rules', source]
        } else {
            echo("opsgate: no ${args.repoRules} at ${rulesRev}; not loading it")
        }
    }
    if (args.minLevel != null) {
        cmd += ['--min-level', args.minLevel.toString()]
    }
    if (args.postStatus) {
        cmd += ["--post-status=${args.postStatus}".toString()]
        String sha = args.statusSha ?: env.GIT_COMMIT
        if (sha) {
            cmd += ['--status-sha', sha]
        }
        String url = args.targetUrl ?: env.BUILD_URL
        if (url) {
            cmd += ['--target-url', url]
        }
    }
    for (def extra in (args.extraArgs ?: [])) {
        cmd += [extra.toString()]
    }
    if (args.emergency) {
        cmd += ['--emergency', args.emergency.toString()]
    }
    cmd += ['--report', "json=${dir}/opsgate.json".toString(),
            '--report', "junit=${dir}/junit.xml".toString(),
            '--report', "sarif=${dir}/opsgate.sarif".toString(),
            '--report', "markdown=${dir}/summary.md".toString()]

    // A fresh report directory: a committed link on the way is refused (exit 2), links in it go.
    String script = "l=; for p in \$(echo ${q(dir)} | tr / ' '); do l=\"\${l:+\$l/}\$p\"; " +
                    "if [ -L \"\$l\" ]; then echo \"opsgate: REFUSED: the report directory \$l is a symbolic link (committed?)\" >&2; exit 2; fi; done; " +
                    "rm -rf ${q(dir)} && mkdir -p ${q(dir)} && " +
                    (guard.user ? "BUILD_USER_ID=${q(guard.user)} " : '') + cmd.collect { q(it.toString()) }.join(' ')
    int status = sh(label: 'opsgate check', returnStatus: true, script: script)

    boolean evaluated = status == 0 || status == 1
    if (evaluated || fileExists("${dir}/junit.xml")) {
        junit(testResults: "${dir}/junit.xml", allowEmptyResults: true)
    }
    if (evaluated || fileExists("${dir}/opsgate.sarif")) {
        // Warnings NG refuses two tools with one id in a build: the deploy gate has its own.
        String id = deploy ? 'opsgate-deploy' : 'opsgate'
        recordIssues(enabledForFailure: true, skipPublishingChecks: false,
                     tools: [sarif(id: id, name: id, pattern: "${dir}/opsgate.sarif")])
    }
    archiveArtifacts(artifacts: "${dir}/**", allowEmptyArchive: true)

    if (status == 0) {
        echo(deploy ? "opsgate: deploy gate passed for ${environment}: deploying" : 'opsgate: gate passed')
        return 0
    }
    if (status == 1) {
        currentBuild.result = onFailure
        String message = deploy ?
            "opsgate: deploy gate failed for ${environment}: not deploying (see the opsgate-deploy test results and issues, ${dir}/)" :
            "opsgate: operability gate failed for ${environment} (see the opsgate test results and issues, ${dir}/)"
        if (stopOnFailure) {
            error(message)
        }
        echo(message)
        return 1
    }
    currentBuild.result = 'FAILURE'
    error("opsgate: could not evaluate (exit ${status}): a bad option, revision, rule pack or manifest; " +
          'see the opsgate output above. The gate does not pass.')
    return status
}

// The guard (shared with opsgateWindow and opsgateDeploy): error() on --stage in extraArgs, and
// on what a change may not do on a protected branch; returns [protectedBy: reason or null, user:
// who asked for the emergency or null].
Map opsgateGuard(Map args) {
    def patterns = args.protectedBranches == null ? ['main', 'master'] :
        (args.protectedBranches instanceof List ? args.protectedBranches : args.protectedBranches.toString().tokenize(' ,'))
    String branch = env.CHANGE_TARGET ?: env.BRANCH_NAME
    String protectedBy = null
    if (!branch) {
        protectedBy = 'neither CHANGE_TARGET nor BRANCH_NAME is set (not a multibranch build)'
    } else {
        for (def pattern in patterns) {
            String regex = pattern.toString().collect { c -> c == '*' ? '.*' : java.util.regex.Pattern.quote(c) }.join('')
            if (branch ==~ regex) {
                protectedBy = "${env.CHANGE_TARGET ? 'the change targets ' : ''}${branch} (protectedBranches: ${pattern})"
                break
            }
        }
    }
    String user = env.BUILD_USER_ID ?: startedBy()
    for (def extra in (args.extraArgs ?: [])) {
        String word = extra.toString()
        if (word == '--stage' || word.startsWith('--stage=')) {
            currentBuild.result = 'FAILURE'
            error("opsgate: REFUSED: extraArgs may not contain ${word}: the stage is fixed by the step " +
                  '(opsgate: merge, opsgateDeploy: deploy), never by a parameter')
        }
    }
    if (protectedBy) {
        echo("opsgate: protected: ${protectedBy}")
        for (def extra in (args.extraArgs ?: [])) {
            String word = extra.toString()
            if (word in ['-v', '--verbose', '-q', '--quiet', '--no-color', '--timings']) {
                continue
            }
            currentBuild.result = 'FAILURE'
            if (word == '--emergency' || word.startsWith('--emergency=')) {
                error("opsgate: REFUSED: extraArgs may not contain --emergency on a protected branch (${protectedBy}); " +
                      'ask for an emergency with the emergency parameter in a build started by hand')
            }
            if (word in ['--rules', '--manifest'] || word.startsWith('--rules=') || word.startsWith('--manifest=')) {
                error("opsgate: REFUSED: extraArgs may not contain ${word} on a protected branch (${protectedBy}): " +
                      "the rules and manifests that judge it come from the step's parameters")
            }
            error("opsgate: REFUSED: extraArgs may not contain '${word}' on a protected branch (${protectedBy}): " +
                  'only --verbose, --quiet, --no-color and --timings are accepted there')
        }
        if (args.emergency && !startedBy()) {
            currentBuild.result = 'FAILURE'
            error("opsgate: REFUSED: an emergency is honoured on a protected branch (${protectedBy}) only in a build " +
                  'started by a user (Build with Parameters), not by a push, a timer or an upstream job')
        }
    }
    if (args.emergency) {
        echo("opsgate: EMERGENCY \"${args.emergency}\" asked by ${user ?: 'an unknown user'} (recorded in the verdict)")
    }
    return [protectedBy: protectedBy, user: args.emergency ? user : null]
}

// The user who started the build (a UserIdCause), or null. getBuildCauses needs no script
// approval (a whitelisted RunWrapper method; a global library is trusted anyway).
String startedBy() {
    try {
        def causes = currentBuild.getBuildCauses('hudson.model.Cause$UserIdCause')
        return causes ? causes[0]?.userId?.toString() : null
    } catch (Exception ignored) {
        return null
    }
}

// A POSIX shell single-quoted word.
String q(String word) {
    return "'" + word.replace("'", "'\"'\"'") + "'"
}
