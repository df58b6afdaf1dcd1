// Runs integrations/jenkins/Jenkinsfile.fleet under Debian's groovy with the declarative
// pipeline's steps implemented for one workspace: `sh` runs the real shell (so the real opsgate
// scans and merges), `parallel` runs its branches on threads, `archiveArtifacts` lists the files
// it would keep in archived.txt. Prints "parallel: <branch names>" and exits 1 when the pipeline
// fails.
//
// groovy fleet_test.groovy JENKINSFILE WORKSPACE OPSGATE SOURCES RULES EXTRA_ARGS

abstract class FleetPipeline extends Script {
    File workspace
    Map params = [:]
    Map env = [:].asSynchronized()
    boolean failed = false
    Closure postAlways = null

    // Set through a method: a Script's property assignment may land in its binding instead.
    void configure(File directory, Map values) {
        workspace = directory
        params.putAll(values)
    }

    def getAny() { 'any' }
    def getEnv() { env }
    def getParams() { params }

    def run(Closure body) {
        body.resolveStrategy = Closure.DELEGATE_FIRST
        body.delegate = this
        body.call()
    }
    def pipeline(Closure body) {
        run(body)
        if (postAlways) run(postAlways)
    }
    def agent(Object any) {}
    def triggers(Closure body) {}
    def cron(String spec) {}
    def options(Closure body) {}
    def parameters(Closure body) { run(body) }
    def string(Map definition) {
        if (!params.containsKey(definition.name)) params[definition.name] = definition.defaultValue
    }
    def stages(Closure body) {
        try {
            run(body)
        } catch (PipelineError error) {
            println "pipeline error: ${error.message}"
            failed = true
        }
    }
    def stage(String name, Closure body) {
        println "stage: ${name}"
        run(body)
    }
    def steps(Closure body) { run(body) }
    def script(Closure body) { run(body) }
    def post(Closure body) { run(body) }
    def always(Closure body) { postAlways = body }
    def echo(String text) { println text }
    def error(String message) { throw new PipelineError(message) }
    def parallel(Map branches) {
        println "parallel: ${branches.keySet().join(', ')}"
        def problems = [].asSynchronized()
        def threads = branches.collect { name, body ->
            Thread.start {
                try {
                    run(body)
                } catch (Throwable error) {
                    problems << "${name}: ${error.message}"
                }
            }
        }
        threads*.join()
        if (problems) throw new PipelineError(problems.join('; '))
    }
    def sh(String script) { sh(script: script) }
    def sh(Map step) {
        def process = new ProcessBuilder('sh', '-c', step.script as String)
            .directory(workspace).redirectErrorStream(true).start()
        def output = process.inputStream.text
        int code = process.waitFor()
        synchronized (this) { println "+ ${step.script}\n${output}" }
        if (step.returnStatus) return code
        if (code != 0) throw new PipelineError("script returned exit code ${code}")
        return output
    }
    def archiveArtifacts(Map step) {
        def kept = (step.artifacts as String).split(/,\s*/).findAll { new File(workspace, it).exists() }
        new File(workspace, 'archived.txt').text = kept.join('\n') + '\n'
    }
}

class PipelineError extends RuntimeException {
    PipelineError(String message) { super(message) }
}

def (jenkinsfile, workspace, opsgate, sources, rules, extra) = args as List
def config = new org.codehaus.groovy.control.CompilerConfiguration()
config.scriptBaseClass = FleetPipeline.name
def shell = new GroovyShell(this.class.classLoader, new Binding(), config)
FleetPipeline pipeline = shell.parse(new File(jenkinsfile)) as FleetPipeline
pipeline.configure(new File(workspace), [SOURCES: sources, CLONE: '', SHARDS: '3', TREND: '',
                                         RULES: rules, EXTRA_ARGS: extra, OPSGATE: opsgate])
pipeline.run()
System.exit(pipeline.failed ? 1 : 0)
