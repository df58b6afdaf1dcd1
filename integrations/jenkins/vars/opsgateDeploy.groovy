// opsgateDeploy: the operability gate of a deployment: refuse to deploy a revision that fails it.
//
//   opsgateDeploy(env: 'production')
//   opsgateDeploy(env: 'production', rules: ['baseline', '/etc/opsgate/acme'], repoRules: '.opsgate/rules',
//                 emergency: params.EMERGENCY_REASON)
//
// Runs `opsgate check --stage deploy` on the revision being deployed (rev, default HEAD: the
// checkout): every service of the revision is judged, with the rules that apply at deploy only
// (the baseline's release window, WIN-003). Exit 1 or 2 stops the pipeline with error(), so the
// deploy steps after it do not run; the reports are recorded first (JUnit; SARIF for Warnings NG
// under the id `opsgate-deploy`; everything in reportDir, default 'opsgate-deploy-report',
// archived). Returns 0 when the deploy may go on.
//
// The stage is this step's, never a parameter (extraArgs may not hold --stage). Parameters are
// opsgate's (env, rules, repoRules, minLevel, failOn, rev, postStatus, statusSha, targetUrl,
// reportDir, opsgate, extraArgs, emergency, protectedBranches), except:
//   base       --base REV: the revision the environment runs now, when the build knows it (e.g.
//              env.GIT_PREVIOUS_SUCCESSFUL_COMMIT when every successful build of the branch
//              deploys). Optional: it marks what is new and adds the ratchet findings, it never
//              narrows the services. No default (CHANGE_TARGET is not used). With a base, repoRules
//              is read from it, as opsgate reads it from the target side of a change.
//   onFailure, stopOnFailure   not accepted: a failed deploy gate always stops the pipeline.
// On a protected branch (see opsgate.groovy) extraArgs may only hold output flags, and an
// emergency (the release window waived, nothing else) is honoured only in a build started by a
// user, who is recorded (BUILD_USER_ID, else the user who started the build).

def call(Map args = [:]) {
    for (String key in ['onFailure', 'stopOnFailure']) {
        if (args.containsKey(key)) {
            currentBuild.result = 'FAILURE'
            error("opsgateDeploy: ${key} is not a parameter: a failed deploy gate always stops the pipeline")
        }
    }
    return opsgate.runCheck(args, 'deploy')
}
