// Runs the Jenkins shared-library steps (integrations/jenkins/vars/*.groovy) under plain Groovy
// with the pipeline steps stubbed (sh, junit, recordIssues, sarif, archiveArtifacts, fileExists,
// echo, error, env, currentBuild), and checks the commands they run and how they react to
// opsgate's exit codes. One line per check: "ok NAME" or "FAIL NAME: detail".
//
// groovy steps_test.groovy LIB_DIR OPSGATE REPO BASELINE [SECTION]
//   SECTION 'steps' (default): the steps' commands, exit codes and guards; REPO is a git
//     repository whose manifest fails the baseline (for the runs with the real binary).
//   SECTION 'stages' (issue 18): opsgate judges at the merge stage, opsgateDeploy at the deploy
//     stage; REPO's manifest passes the baseline and its release window is closed on Saturdays.

import groovy.transform.Field

@Field String libDir = args[0]
@Field String opsgateBin = args[1]
@Field String repoDir = args[2]
@Field String baseline = args[3]
@Field String section = args.length > 4 ? args[4] : 'steps'
@Field int failures = 0

class Abort extends RuntimeException {
    Abort(String message) { super(message) }
}

void check(String name, boolean condition, def detail = '') {
    if (condition) {
        println "ok ${name}"
    } else {
        failures++
        println "FAIL ${name}: ${detail}"
    }
}

// run(step: 'opsgate', args: [...], env: [...], sh: { script -> exit code }, files: [...],
//     causes: [[userId: 'jdoe']] (what currentBuild.getBuildCauses(UserIdCause) returns))
Map run(Map opts) {
    List calls = []
    Map build = [result: null]
    build.getBuildCauses = { String type = null -> opts.causes ?: [] }
    Binding binding = new Binding()
    binding.setVariable('env', opts.env ?: [:])
    binding.setVariable('params', [:])
    binding.setVariable('currentBuild', build)
    binding.setVariable('sh', { Map m ->
        calls << [step: 'sh', script: m.script.toString(), label: m.label?.toString(), returnStatus: m.returnStatus]
        return opts.sh ? opts.sh(m.script.toString()) : 0
    })
    binding.setVariable('junit', { Map m -> calls << [step: 'junit', args: m] })
    binding.setVariable('sarif', { Map m -> [tool: 'sarif'] + m })
    binding.setVariable('recordIssues', { Map m -> calls << [step: 'recordIssues', args: m] })
    binding.setVariable('archiveArtifacts', { Map m -> calls << [step: 'archiveArtifacts', args: m] })
    binding.setVariable('fileExists', { p -> (opts.files ?: []).contains(p.toString()) })
    binding.setVariable('echo', { s -> calls << [step: 'echo', message: s.toString()] })
    binding.setVariable('error', { s ->
        calls << [step: 'error', message: s.toString()]
        throw new Abort(s.toString())
    })
    GroovyShell shell = new GroovyShell(binding)
    // Library steps call each other as global variables (opsgateWindow uses opsgate.opsgateGuard).
    binding.setVariable('opsgate', shell.parse(new File(libDir, 'vars/opsgate.groovy')))
    Script script = shell.parse(new File(libDir, "vars/${opts.step ?: 'opsgate'}.groovy"))
    def returned = null
    String aborted = null
    try {
        returned = script.call(opts.args ?: [:])
    } catch (Abort abort) {
        aborted = abort.message
    }
    List shs = calls.findAll { it.step == 'sh' }
    return [calls: calls, result: build.result, returned: returned, aborted: aborted,
            gate: shs.find { it.label == 'opsgate check' || it.label == 'opsgate window' }?.script,
            shs: shs, steps: calls*.step]
}

Closure exits(int code) {
    return { String script -> script.contains("'check'") || script.contains("'window'") ? code : 0 }
}

// The bash of the work space REPO, its output shown indented.
Closure realShell() {
    File work = new File(repoDir)
    return { String script ->
        Process p = new ProcessBuilder('bash', '-c', script).directory(work).redirectErrorStream(true).start()
        p.inputStream.eachLine { println "    | ${it}" }
        return p.waitFor()
    }
}

void finish() {
    println(failures == 0 ? 'groovy checks: all ok' : "groovy checks: ${failures} failed")
    System.exit(failures == 0 ? 0 : 1)
}

if (section == 'stages') {
    stagesChecks()
    finish()
}
if (section != 'steps') {
    println "FAIL unknown section '${section}'"
    System.exit(2)
}

// --- exit 0: passed ----------------------------------------------------------------------------
def r = run(args: [env: 'production', minLevel: 3], sh: exits(0))
check('exit 0: runs opsgate check at the merge stage with env and min level',
      r.gate?.contains("'opsgate' 'check' '--stage' 'merge' '--env' 'production' '--fail-on' 'error'") &&
      r.gate.contains("'--min-level' '3'"), r.gate)
check('exit 0: through sh with returnStatus', r.shs.every { it.returnStatus == true }, r.shs)
check('exit 0: writes junit, sarif, json and markdown reports',
      ['junit=opsgate-report/junit.xml', 'sarif=opsgate-report/opsgate.sarif',
       'json=opsgate-report/opsgate.json', 'markdown=opsgate-report/summary.md'].every { r.gate.contains("'--report' '${it}'") }, r.gate)
check('exit 0: no --base without CHANGE_TARGET', !r.gate.contains('--base'), r.gate)
check('exit 0: records JUnit', r.calls.find { it.step == 'junit' }?.args?.testResults == 'opsgate-report/junit.xml', r.calls)
def issues = r.calls.find { it.step == 'recordIssues' }?.args
check('exit 0: publishes SARIF for Warnings NG',
      issues?.tools?.size() == 1 && issues.tools[0].tool == 'sarif' && issues.tools[0].pattern == 'opsgate-report/opsgate.sarif' &&
      issues.enabledForFailure == true, issues)
check('exit 0: build result untouched', r.result == null, r.result)
check('exit 0: returns 0, does not stop', r.returned == 0 && r.aborted == null, "${r.returned} ${r.aborted}")

// --- exit 1: failed --------------------------------------------------------------------------
r = run(args: [env: 'production'], sh: exits(1))
check('exit 1: reports recorded before anything else',
      r.steps.indexOf('junit') >= 0 && r.steps.indexOf('recordIssues') >= 0 && r.steps.indexOf('junit') < r.steps.indexOf('error'), r.steps)
check('exit 1: result FAILURE by default', r.result == 'FAILURE', r.result)
check('exit 1: FAILURE stops the pipeline with a clear message',
      r.aborted?.contains('operability gate failed for production'), r.aborted)

r = run(args: [env: 'staging', onFailure: 'UNSTABLE', failOn: 'warning'], sh: exits(1))
check('exit 1 + onFailure UNSTABLE: result UNSTABLE', r.result == 'UNSTABLE', r.result)
check('exit 1 + onFailure UNSTABLE: the pipeline goes on', r.aborted == null && r.returned == 1, "${r.aborted} ${r.returned}")
check('exit 1 + onFailure UNSTABLE: reports recorded', r.steps.containsAll(['junit', 'recordIssues']), r.steps)
check('failOn and env passed', r.gate.contains("'--env' 'staging' '--fail-on' 'warning'"), r.gate)

r = run(args: [onFailure: 'FAILURE', stopOnFailure: false], sh: exits(1))
check('exit 1 + stopOnFailure false: FAILURE without stopping', r.result == 'FAILURE' && r.aborted == null, "${r.result} ${r.aborted}")

// --- exit 2: could not evaluate ----------------------------------------------------------------
r = run(args: [:], sh: exits(2))
check('exit 2: error() with a clear message', r.aborted?.contains('could not evaluate (exit 2)'), r.aborted)
check('exit 2: result FAILURE', r.result == 'FAILURE', r.result)
check('exit 2: nothing to record when no report was written', !r.steps.contains('junit') && !r.steps.contains('recordIssues'), r.steps)
r = run(args: [:], sh: exits(2), files: ['opsgate-report/junit.xml', 'opsgate-report/opsgate.sarif'])
check('exit 2: the error reports are recorded when written', r.steps.containsAll(['junit', 'recordIssues']) && r.aborted != null, r.steps)
r = run(args: [onFailure: 'UNSTABLE'], sh: exits(2))
check('exit 2: stops even with onFailure UNSTABLE', r.aborted != null && r.result == 'FAILURE', "${r.aborted} ${r.result}")

r = run(args: [onFailure: 'sometimes'], sh: exits(0))
check('a bad onFailure is an error', r.aborted?.contains('onFailure') && r.gate == null, r.aborted)

// --- change-aware: CHANGE_TARGET ---------------------------------------------------------------
r = run(args: [rules: ['baseline', '/etc/opsgate/acme'], repoRules: '.opsgate/rules', minLevel: 2],
        env: [CHANGE_TARGET: 'main', CHANGE_ID: '42'], sh: exits(0))
def fetch = r.shs.find { it.script.contains('git fetch') }?.script
check('CHANGE_TARGET: fetches the target when the checkout lacks it',
      fetch?.contains("git rev-parse --verify -q 'refs/remotes/origin/main^{commit}'") &&
      fetch.contains("git fetch --no-tags origin '+refs/heads/main:refs/remotes/origin/main'"), fetch)
check('CHANGE_TARGET: --base refs/remotes/origin/main', r.gate?.contains("'--base' 'refs/remotes/origin/main'"), r.gate)
check('CHANGE_TARGET: looks for the repository pack on the target side',
      r.shs.any { it.script == "git cat-file -e 'refs/remotes/origin/main:.opsgate/rules'" }, r.shs*.script)
check('CHANGE_TARGET: rule packs in order, the repository pack from the target side last',
      r.gate?.contains("'--rules' 'baseline' '--rules' '/etc/opsgate/acme' '--rules' 'refs/remotes/origin/main:.opsgate/rules'"), r.gate)
check('CHANGE_TARGET: fetch and lookup run before the gate',
      r.shs.findIndexOf { it.script.contains('git fetch') } < r.shs.findIndexOf { it.label == 'opsgate check' }, r.shs*.label)

r = run(args: [repoRules: '.opsgate/rules'], env: [CHANGE_TARGET: 'develop'],
        sh: { s -> s.startsWith('git cat-file') ? 1 : 0 })
check('no repository pack at the target: not loaded, said so',
      !r.gate.contains('.opsgate/rules') && r.calls.any { it.step == 'echo' && it.message.contains('no .opsgate/rules at refs/remotes/origin/develop') }, r.calls)

r = run(args: [repoRules: '.opsgate/rules'], sh: exits(0))
check('branch build: the repository pack from HEAD, no fetch',
      r.gate.contains("'--rules' 'HEAD:.opsgate/rules'") && !r.shs.any { it.script.contains('git fetch') }, r.gate)

r = run(args: [base: 'origin/release'], env: [CHANGE_TARGET: 'main'], sh: exits(0))
check('an explicit base wins over CHANGE_TARGET', r.gate.contains("'--base' 'origin/release'") && !r.gate.contains('origin/main'), r.gate)
r = run(args: [base: ''], env: [CHANGE_TARGET: 'main'], sh: exits(0))
check("base '' disables the change-aware mode", !r.gate.contains('--base'), r.gate)

// --- commit status, quoting, extra args ----------------------------------------------------
r = run(args: [postStatus: 'github', extraArgs: ['--verbose']],
        env: [GIT_COMMIT: 'abc123', BUILD_URL: 'https://ci.example.org/job/x/1/'], sh: exits(0))
check('postStatus: provider, MR head sha and build URL',
      r.gate.contains("'--post-status=github' '--status-sha' 'abc123' '--target-url' 'https://ci.example.org/job/x/1/'"), r.gate)
check('extraArgs appended', r.gate.contains("'--verbose'"), r.gate)
r = run(args: [env: "it's"], sh: exits(0))
check('arguments are shell-quoted', r.gate.contains("'--env' 'it'\"'\"'s'"), r.gate)

// --- the real binary through a real shell --------------------------------------------------
File work = new File(repoDir)
Closure realSh = { String script ->
    Process p = new ProcessBuilder('bash', '-c', script).directory(work).redirectErrorStream(true).start()
    p.inputStream.eachLine { println "    | ${it}" }
    return p.waitFor()
}
r = run(args: [opsgate: opsgateBin, rules: baseline, extraArgs: ['--at', '2026-11-26T21:30:00+01:00']],
        env: [BRANCH_NAME: 'feature'], sh: realSh)
check('real opsgate on a failing manifest: FAILURE and stopped', r.result == 'FAILURE' && r.aborted?.contains('gate failed'), "${r.result} ${r.aborted}")
check('real opsgate: JUnit report written', new File(work, 'opsgate-report/junit.xml').length() > 0, 'no opsgate-report/junit.xml')
check('real opsgate: SARIF report written', new File(work, 'opsgate-report/opsgate.sarif').length() > 0, 'no opsgate-report/opsgate.sarif')
check('real opsgate: JSON report says fail', new File(work, 'opsgate-report/opsgate.json').text.contains('"outcome": "fail"'), 'json')
r = run(args: [opsgate: opsgateBin, rules: '/nonexistent/pack'], sh: realSh)
check('real opsgate with a missing pack: exit 2 becomes error()', r.aborted?.contains('could not evaluate (exit 2)'), r.aborted)

// --- opsgateWindow ---------------------------------------------------------------------------
r = run(step: 'opsgateWindow', args: [env: 'production', wait: '2h'], sh: exits(0))
check('window open: runs opsgate window, goes on',
      r.gate == "'opsgate' 'window' '--env' 'production' '--no-color' '--wait' '2h'" && r.aborted == null && r.returned == 0, r.gate)
r = run(step: 'opsgateWindow', args: [env: 'production'], sh: exits(1))
check('window closed: stops before deploying', r.aborted?.contains('release window for production is closed'), r.aborted)
r = run(step: 'opsgateWindow', args: [env: 'production', emergency: 'INC-42 outage'], env: [BRANCH_NAME: 'feature'], sh: exits(0))
check('window emergency: reason passed', r.gate.contains("'--emergency' 'INC-42 outage'"), r.gate)
r = run(step: 'opsgateWindow', args: [emergency: ''], sh: exits(2))
check('window error: stops; empty emergency not passed', r.aborted?.contains('could not evaluate') && !r.gate.contains('--emergency'), "${r.aborted} ${r.gate}")

// --- issue 16: a change cannot walk around its gate ------------------------------------------
for (List extra in [['--emergency', 'x'], ['--emergency=INC-1'], ['--rules=./lenient'], ['--rules', './lenient'],
                    ['--manifest', 'a'], ['--verbose', '--manifest=operability.toml'], ['--env', 'staging']]) {
    r = run(args: [extraArgs: extra], env: [BRANCH_NAME: 'main'], sh: exits(0))
    check("protected main, extraArgs ${extra}: refused, the gate not run",
          r.aborted?.contains('REFUSED: extraArgs may not contain') && r.gate == null && r.result == 'FAILURE', "${r.aborted} ${r.gate}")
}
r = run(args: [extraArgs: ['--emergency', 'x']], env: [BRANCH_NAME: 'main'], sh: exits(0))
check('protected, --emergency: points at the emergency parameter', r.aborted?.contains('emergency parameter'), r.aborted)
r = run(args: [extraArgs: ['--rules=./lenient'], protectedBranches: ['main', 'release/*']],
        env: [BRANCH_NAME: 'PR-7', CHANGE_TARGET: 'release/2.x'], sh: exits(0))
check('a change into release/2.x (protectedBranches release/*): refused',
      r.aborted?.contains('the change targets release/2.x (protectedBranches: release/*)') && r.gate == null, r.aborted)
r = run(args: [extraArgs: ['--manifest', 'a']], sh: exits(0))
check('no BRANCH_NAME nor CHANGE_TARGET: counts as protected', r.aborted?.contains('REFUSED') && r.gate == null, r.aborted)
r = run(args: [extraArgs: ['--verbose', '--no-color']], env: [BRANCH_NAME: 'main'], sh: exits(0))
check('protected, --verbose --no-color: accepted', r.aborted == null && r.gate.contains("'--verbose' '--no-color'"), "${r.aborted} ${r.gate}")
r = run(args: [extraArgs: ['--emergency', 'x', '--manifest', 'operability.toml']], env: [BRANCH_NAME: 'feature'], sh: exits(0))
check('unprotected feature branch: --emergency and --manifest accepted',
      r.aborted == null && r.gate.contains("'--emergency' 'x' '--manifest' 'operability.toml'"), "${r.aborted} ${r.gate}")
r = run(args: [extraArgs: ['--rules=x']], env: [BRANCH_NAME: 'main'], sh: exits(0), step: 'opsgateWindow')
check('opsgateWindow, protected: extraArgs --rules=x refused', r.aborted?.contains('REFUSED') && r.gate == null, r.aborted)

// Emergencies: only in a build started by a user on a protected branch; who asked is recorded.
r = run(args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main'], sh: exits(0))
check('protected, emergency from a push/timer build: refused', r.aborted?.contains('only in a build started by a user') && r.gate == null, r.aborted)
r = run(args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main'], causes: [[userId: 'jdoe']], sh: exits(0))
check('protected, emergency in a build started by jdoe: run with --emergency, BUILD_USER_ID=jdoe',
      r.aborted == null && r.gate.contains("BUILD_USER_ID='jdoe' 'opsgate' 'check'") && r.gate.contains("'--emergency' 'INC-42'"), "${r.aborted} ${r.gate}")
r = run(args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main', BUILD_USER_ID: 'bob'], causes: [[userId: 'jdoe']], sh: exits(0))
check('BUILD_USER_ID (Build User Vars) wins over the cause', r.gate?.contains("BUILD_USER_ID='bob' "), r.gate)
r = run(args: [:], env: [BRANCH_NAME: 'main'], causes: [[userId: 'jdoe']], sh: exits(0))
check('no emergency: no BUILD_USER_ID set', r.gate != null && !r.gate.contains('BUILD_USER_ID'), r.gate)
r = run(step: 'opsgateWindow', args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main'], sh: exits(0))
check('opsgateWindow, protected, emergency without a user cause: refused, nothing deployed',
      r.aborted?.contains('only in a build started by a user') && r.gate == null, r.aborted)
r = run(step: 'opsgateWindow', args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main'], causes: [[userId: 'jdoe']], sh: exits(0))
check('opsgateWindow, protected, emergency started by jdoe: passed with who asked',
      r.aborted == null && r.gate?.startsWith("BUILD_USER_ID='jdoe' 'opsgate' 'window'") && r.gate.contains("'--emergency' 'INC-42'"), r.gate)
r = run(args: [reportDir: '../outside'], env: [BRANCH_NAME: 'feature'], sh: exits(0))
check("reportDir '../outside' refused", r.aborted?.contains('REFUSED') && r.gate == null, r.aborted)

// The real binary: the emergency report records who asked; committed links are not written through.
new File(work, 'opsgate-report').deleteDir()
r = run(args: [opsgate: opsgateBin, rules: baseline, emergency: 'INC-42 payment outage', stopOnFailure: false,
               extraArgs: []], env: [BRANCH_NAME: 'main'], causes: [[userId: 'jdoe']], sh: realSh)
def report = new groovy.json.JsonSlurper().parse(new File(work, 'opsgate-report/opsgate.json'))
check('real opsgate, emergency started by jdoe: the report records who asked',
      report.emergency == 'INC-42 payment outage' && report.emergency_requested_by == 'jdoe', "${report.emergency} ${report.emergency_requested_by}")

File outside = new File(work.parentFile, 'outside')
outside.mkdirs()
new File(work, 'opsgate-report').deleteDir()
realSh("ln -s '${outside.path}' opsgate-report")
r = run(args: [opsgate: opsgateBin, rules: baseline], env: [BRANCH_NAME: 'feature'], sh: realSh)
check('real shell, opsgate-report -> outside: refused (exit 2), nothing written outside',
      r.aborted?.contains('could not evaluate (exit 2)') && outside.list().length == 0, "${r.aborted} ${outside.list()}")
new File(work, 'opsgate-report').delete()
File victim = new File(work.parentFile, 'victim.txt')
victim.text = 'precious'
new File(work, 'opsgate-report').mkdirs()
realSh("ln -s '${victim.path}' opsgate-report/summary.md && ln -s '${victim.path}' opsgate-report/opsgate.json")
r = run(args: [opsgate: opsgateBin, rules: baseline, extraArgs: ['--at', '2026-11-26T21:30:00+01:00']],
        env: [BRANCH_NAME: 'feature'], sh: realSh)
check('real shell, opsgate-report/summary.md -> file: the file is untouched, a real report written',
      victim.text == 'precious' && !java.nio.file.Files.isSymbolicLink(new File(work, 'opsgate-report/summary.md').toPath()) &&
      new File(work, 'opsgate-report/summary.md').length() > 0, victim.text)

finish()

// --- issue 18: stages (section 'stages') ------------------------------------------------------
void stagesChecks() {
    String saturday = '2026-11-28T21:30:00+01:00'  // billing-api deploys Monday to Thursday evenings
    String thursday = '2026-11-26T21:30:00+01:00'

    // The commands: the stage is the step's.
    def r = run(args: [env: 'production'], env: [BRANCH_NAME: 'feature'], sh: exits(0))
    check('opsgate: judges at the merge stage', r.gate?.contains("'opsgate' 'check' '--stage' 'merge' '--env' 'production'"), r.gate)
    r = run(step: 'opsgateDeploy', args: [env: 'production', minLevel: 3, rules: ['baseline'], repoRules: '.opsgate/rules'],
            env: [BRANCH_NAME: 'main'], sh: exits(0))
    check('opsgateDeploy: judges at the deploy stage', r.gate?.contains("'opsgate' 'check' '--stage' 'deploy' '--env' 'production'") &&
          r.gate.contains("'--min-level' '3'") && r.gate.contains("'--rules' 'baseline'"), r.gate)
    check('opsgateDeploy: no --base unless given', r.gate != null && !r.gate.contains('--base'), r.gate)
    check('opsgateDeploy: the repository pack from the deployed revision', r.gate?.contains("'--rules' 'HEAD:.opsgate/rules'"), r.gate)
    check('opsgateDeploy: reports in opsgate-deploy-report',
          r.gate?.contains("'--report' 'json=opsgate-deploy-report/opsgate.json'") &&
          r.calls.find { it.step == 'junit' }?.args?.testResults == 'opsgate-deploy-report/junit.xml', r.gate)
    def issues = r.calls.find { it.step == 'recordIssues' }?.args
    check('opsgateDeploy: SARIF under its own Warnings NG id (opsgate-deploy)',
          issues?.tools?.getAt(0)?.id == 'opsgate-deploy' && issues.tools[0].pattern == 'opsgate-deploy-report/opsgate.sarif', issues)
    check('opsgateDeploy: returns 0 and goes on', r.returned == 0 && r.aborted == null, "${r.returned} ${r.aborted}")
    r = run(step: 'opsgateDeploy', args: [repoRules: '.opsgate/rules'], env: [BRANCH_NAME: 'PR-7', CHANGE_TARGET: 'main'], sh: exits(0))
    check('opsgateDeploy: CHANGE_TARGET is no base (every service is judged), nothing fetched',
          r.gate != null && !r.gate.contains('--base') && !r.shs.any { it.script.contains('git fetch') }, r.gate)
    r = run(step: 'opsgateDeploy', args: [base: 'abc123', repoRules: '.opsgate/rules'], env: [BRANCH_NAME: 'main'], sh: exits(0))
    check('opsgateDeploy: a base given is passed, the repository pack read from it',
          r.gate?.contains("'--base' 'abc123'") && r.gate.contains("'--rules' 'abc123:.opsgate/rules'"), r.gate)

    // Exit codes: a failed deploy gate always stops the pipeline.
    r = run(step: 'opsgateDeploy', args: [env: 'production'], env: [BRANCH_NAME: 'main'], sh: exits(1))
    check('opsgateDeploy exit 1: FAILURE, stops before deploying',
          r.result == 'FAILURE' && r.aborted?.contains('deploy gate failed for production: not deploying'), "${r.result} ${r.aborted}")
    check('opsgateDeploy exit 1: reports recorded first',
          r.steps.indexOf('junit') >= 0 && r.steps.indexOf('recordIssues') >= 0 && r.steps.indexOf('junit') < r.steps.indexOf('error'), r.steps)
    r = run(step: 'opsgateDeploy', args: [:], env: [BRANCH_NAME: 'main'], sh: exits(2))
    check('opsgateDeploy exit 2: stops', r.result == 'FAILURE' && r.aborted?.contains('could not evaluate (exit 2)'), r.aborted)
    for (String key in ['onFailure', 'stopOnFailure']) {
        r = run(step: 'opsgateDeploy', args: [(key): key == 'onFailure' ? 'UNSTABLE' : false], env: [BRANCH_NAME: 'feature'], sh: exits(1))
        check("opsgateDeploy, ${key}: not a parameter, the gate not run",
              r.aborted?.contains("${key} is not a parameter") && r.gate == null && r.result == 'FAILURE', "${r.aborted} ${r.gate}")
    }

    // --stage in extraArgs: refused by both steps, on a protected branch and off it.
    for (String step in ['opsgate', 'opsgateDeploy']) {
        for (List extra in [['--stage', 'commit'], ['--stage=merge'], ['--verbose', '--stage=push']]) {
            for (String branch in ['main', 'feature']) {
                r = run(step: step, args: [extraArgs: extra], env: [BRANCH_NAME: branch], sh: exits(0))
                check("${step} on ${branch}, extraArgs ${extra}: refused, the gate not run",
                      r.aborted?.contains('the stage is fixed by the step') && r.gate == null && r.result == 'FAILURE', "${r.aborted} ${r.gate}")
            }
        }
    }

    // Protected branch: the deploy gate keeps the issue-16 guards.
    r = run(step: 'opsgateDeploy', args: [extraArgs: ['--at', saturday]], env: [BRANCH_NAME: 'main'], sh: exits(0))
    check('opsgateDeploy on protected main, extraArgs --at: refused', r.aborted?.contains('REFUSED') && r.gate == null, r.aborted)
    r = run(step: 'opsgateDeploy', args: [extraArgs: ['--rules=./lenient']], env: [BRANCH_NAME: 'main'], sh: exits(0))
    check('opsgateDeploy on protected main, extraArgs --rules=./lenient: refused', r.aborted?.contains('REFUSED') && r.gate == null, r.aborted)
    r = run(step: 'opsgateDeploy', args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main'], sh: exits(0))
    check('opsgateDeploy on protected main, emergency without a user: refused',
          r.aborted?.contains('only in a build started by a user') && r.gate == null, r.aborted)
    r = run(step: 'opsgateDeploy', args: [emergency: 'INC-42'], env: [BRANCH_NAME: 'main'], causes: [[userId: 'jdoe']], sh: exits(0))
    check('opsgateDeploy on protected main, emergency started by jdoe: deploy stage, with who asked',
          r.aborted == null && r.gate?.contains("BUILD_USER_ID='jdoe' 'opsgate' 'check' '--stage' 'deploy'") &&
          r.gate.contains("'--emergency' 'INC-42'"), r.gate)

    // The real binary through a real shell, on a Saturday: both steps in one build.
    Closure realSh = realShell()
    File work = new File(repoDir)
    def slurper = new groovy.json.JsonSlurper()
    Closure status = { report, String rule -> report.manifests[0].findings.find { it.rule == rule }?.status }
    r = run(args: [opsgate: opsgateBin, rules: baseline, extraArgs: ['--at', saturday]], env: [BRANCH_NAME: 'feature'], sh: realSh)
    def merged = slurper.parse(new File(work, 'opsgate-report/opsgate.json'))
    check('real opsgate, Saturday: the merge gate passes', r.returned == 0 && r.aborted == null && r.result == null, "${r.returned} ${r.aborted}")
    check('real opsgate, Saturday: merge stage, WIN-003 not asked',
          merged.stage == 'merge' && merged.outcome == 'pass' && status(merged, 'WIN-003') == 'skipped', "${merged.stage} ${merged.outcome} ${status(merged, 'WIN-003')}")
    r = run(step: 'opsgateDeploy', args: [opsgate: opsgateBin, rules: baseline, extraArgs: ['--at', saturday]],
            env: [BRANCH_NAME: 'feature'], sh: realSh)
    def deployed = slurper.parse(new File(work, 'opsgate-deploy-report/opsgate.json'))
    check('real opsgateDeploy, Saturday: refused, the pipeline stopped',
          r.result == 'FAILURE' && r.aborted?.contains('deploy gate failed for production: not deploying'), "${r.result} ${r.aborted}")
    check('real opsgateDeploy, Saturday: deploy stage, WIN-003 fails',
          deployed.stage == 'deploy' && deployed.outcome == 'fail' && status(deployed, 'WIN-003') == 'fail', "${deployed.stage} ${deployed.outcome} ${status(deployed, 'WIN-003')}")
    check('real opsgateDeploy: the merge gate\'s reports are still there', new File(work, 'opsgate-report/opsgate.json').length() > 0, 'opsgate-report/opsgate.json')
    r = run(step: 'opsgateDeploy', args: [opsgate: opsgateBin, rules: baseline, extraArgs: ['--at', thursday]],
            env: [BRANCH_NAME: 'feature'], sh: realSh)
    deployed = slurper.parse(new File(work, 'opsgate-deploy-report/opsgate.json'))
    check('real opsgateDeploy, Thursday evening: deploys', r.returned == 0 && r.aborted == null, "${r.returned} ${r.aborted}")
    check('real opsgateDeploy, Thursday evening: deploy stage, WIN-003 passes',
          deployed.stage == 'deploy' && status(deployed, 'WIN-003') == 'pass', "${deployed.stage} ${status(deployed, 'WIN-003')}")
    r = run(step: 'opsgateDeploy', args: [opsgate: opsgateBin, rules: baseline, extraArgs: ['--at', saturday], emergency: 'INC-42 payment outage'],
            env: [BRANCH_NAME: 'feature'], causes: [[userId: 'jdoe']], sh: realSh)
    deployed = slurper.parse(new File(work, 'opsgate-deploy-report/opsgate.json'))
    check('real opsgateDeploy, Saturday emergency by jdoe: deploys, WIN-003 waived, who asked recorded',
          r.returned == 0 && deployed.stage == 'deploy' && status(deployed, 'WIN-003') == 'waived' &&
          deployed.emergency == 'INC-42 payment outage' && deployed.emergency_requested_by == 'jdoe',
          "${r.aborted} ${status(deployed, 'WIN-003')} ${deployed.emergency_requested_by}")
}
