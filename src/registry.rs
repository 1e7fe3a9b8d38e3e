//! Every rule: its code, name, fix availability and embedded documentation.
//!
//! The table below is the single source of truth: `rule --all`, `--select`, the reports and the
//! documentation tests all read it.

use std::fmt;

/// Whether a rule's diagnostics carry a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    /// Every diagnostic has a fix.
    Always,
    /// Some diagnostics have a fix.
    Sometimes,
    /// Diagnostics never have a fix: the change is manual.
    None,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::Always => "always",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::None => "none",
        }
    }
}

macro_rules! rules {
    ($($variant:ident => ($code:literal, $name:literal, $fix:ident, $doc:literal),)+) => {
        /// A rule, identified by its stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)+
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)+];

            pub fn code(self) -> &'static str {
                match self {
                    $(Rule::$variant => $code,)+
                }
            }

            /// The kebab-case name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Rule::$variant => $name,)+
                }
            }

            pub fn fix_availability(self) -> FixAvailability {
                match self {
                    $(Rule::$variant => FixAvailability::$fix,)+
                }
            }

            /// The rule's documentation (`rules/FMnnn.md`).
            pub fn documentation(self) -> &'static str {
                match self {
                    $(Rule::$variant => include_str!(concat!("../rules/", $doc)),)+
                }
            }
        }
    };
}

rules! {
    RenamedName => ("FM101", "renamed-name", Sometimes, "FM101.md"),
    UnusedFlytekitImport => ("FM102", "unused-flytekit-import", Always, "FM102.md"),
    FlytekitConstruct => ("FM103", "flytekit-construct", Sometimes, "FM103.md"),
    Kwtypes => ("FM104", "kwtypes", Sometimes, "FM104.md"),
    ResourcesFields => ("FM201", "resources-fields", Sometimes, "FM201.md"),
    AcceleratorToGpu => ("FM202", "accelerator-to-gpu", Sometimes, "FM202.md"),
    CacheToFlyteCache => ("FM203", "cache-to-flyte-cache", Sometimes, "FM203.md"),
    TaskDecorator => ("FM204", "task-decorator", Sometimes, "FM204.md"),
    EnvironmentLevelSetting => ("FM205", "environment-level-setting", None, "FM205.md"),
    Flyte1Argument => ("FM206", "flyte1-argument", Sometimes, "FM206.md"),
    RecoverableException => ("FM207", "recoverable-exception", Always, "FM207.md"),
    DecoratorPartial => ("FM208", "decorator-partial", Sometimes, "FM208.md"),
    WorkflowDecorator => ("FM301", "workflow-decorator", Sometimes, "FM301.md"),
    DynamicDecorator => ("FM302", "dynamic-decorator", Sometimes, "FM302.md"),
    NodeOrdering => ("FM303", "node-ordering", Sometimes, "FM303.md"),
    MapTask => ("FM304", "map-task", Sometimes, "FM304.md"),
    MainBlockRun => ("FM305", "main-block-run", Sometimes, "FM305.md"),
    Conditional => ("FM306", "conditional", Sometimes, "FM306.md"),
    PromiseAttribute => ("FM307", "promise-attribute", Always, "FM307.md"),
    WithOverrides => ("FM308", "with-overrides", Sometimes, "FM308.md"),
    CreateNode => ("FM309", "create-node", Sometimes, "FM309.md"),
    AsyncFromSync => ("FM310", "async-task-from-sync", None, "FM310.md"),
    WorkflowRuntimeCode => ("FM311", "workflow-runtime-code", None, "FM311.md"),
    FlytekitCallee => ("FM312", "flytekit-callee", None, "FM312.md"),
    GateNode => ("FM313", "gate-node", Sometimes, "FM313.md"),
    UnawaitedTaskCall => ("FM314", "unawaited-task-call", Sometimes, "FM314.md"),
    SecretsGet => ("FM401", "secrets-get", Sometimes, "FM401.md"),
    WorkingDirectory => ("FM402", "working-directory", Sometimes, "FM402.md"),
    ExecutionId => ("FM403", "execution-id", Sometimes, "FM403.md"),
    CurrentContextAttribute => ("FM404", "current-context-attribute", Sometimes, "FM404.md"),
    UnusedCurrentContext => ("FM405", "unused-current-context", Always, "FM405.md"),
    SecretDeclaration => ("FM406", "secret-declaration", Sometimes, "FM406.md"),
    IoType => ("FM410", "io-type", Sometimes, "FM410.md"),
    IoConstructor => ("FM411", "io-constructor", Sometimes, "FM411.md"),
    IoMethod => ("FM412", "io-method", Sometimes, "FM412.md"),
    Deck => ("FM413", "deck", Sometimes, "FM413.md"),
    DataclassJson => ("FM414", "dataclass-json", Sometimes, "FM414.md"),
    ImageSpec => ("FM501", "image-spec", Sometimes, "FM501.md"),
    LaunchPlan => ("FM601", "launch-plan", Sometimes, "FM601.md"),
    PyflyteCliRunner => ("FM620", "pyflyte-cli-runner", Sometimes, "FM620.md"),
    FlyteRemote => ("FM621", "flyte-remote", Sometimes, "FM621.md"),
    ReferenceEntity => ("FM622", "reference-entity", Sometimes, "FM622.md"),
    TaskObject => ("FM623", "task-object", Sometimes, "FM623.md"),
    ActorEnvironment => ("FM624", "actor-environment", Sometimes, "FM624.md"),
    AppEnvironment => ("FM625", "app-environment", Sometimes, "FM625.md"),
    PyflyteRun => ("FM701", "pyflyte-run", Sometimes, "FM701.md"),
    PyflyteRegister => ("FM702", "pyflyte-register", None, "FM702.md"),
    PyflyteCommand => ("FM703", "pyflyte-command", Sometimes, "FM703.md"),
    FlytekitRequirement => ("FM801", "flytekit-requirement", Sometimes, "FM801.md"),
    FlytekitPluginRequirement => ("FM802", "flytekit-plugin-requirement", Sometimes, "FM802.md"),
    PluginWithoutFlyte2 => ("FM803", "plugin-without-flyte2", None, "FM803.md"),
    LockedFlytekit => ("FM804", "locked-flytekit", None, "FM804.md"),
    SyntaxError => ("FM901", "syntax-error", None, "FM901.md"),
    UnusedSuppression => ("FM902", "unused-suppression", Always, "FM902.md"),
}

impl Rule {
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code))
    }

    /// The documentation's first sentence after the title, for listings.
    pub fn summary(self) -> &'static str {
        self.documentation()
            .lines()
            .skip_while(|l| !l.starts_with("## What it does"))
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A `--select`/`--ignore` entry: a code or a prefix of codes (`FM2`, `FM20`, `FM`, `ALL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelector(String);

impl RuleSelector {
    pub fn parse(s: &str) -> Result<Self, String> {
        let upper = s.trim().to_ascii_uppercase();
        if upper == "ALL" {
            return Ok(Self(String::new()));
        }
        if Rule::ALL.iter().any(|r| r.code().starts_with(&upper)) && !upper.is_empty() {
            Ok(Self(upper))
        } else {
            Err(format!("unknown rule selector `{s}`"))
        }
    }

    pub fn matches(&self, rule: Rule) -> bool {
        rule.code().starts_with(&self.0)
    }

    /// Longer prefixes are more specific: `--ignore FM2 --select FM201` keeps FM201.
    pub fn specificity(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for RuleSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("ALL")
        } else {
            f.write_str(&self.0)
        }
    }
}
