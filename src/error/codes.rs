//! The stable issue codes: `E1xx` for errors, `W2xx` for warnings. Each code's
//! string and meaning are written once, in the table below; the enum, its
//! `as_str`, `description`, Display, serde form and the list `IssueCode::ALL`
//! are generated from it, and `docs/format.md` lists the same codes (a test
//! keeps the two in step).

use serde::{Serialize, Serializer};

/// Declares `IssueCode` from one table of `Variant = "code", "meaning"`.
macro_rules! issue_codes {
    ($($variant:ident = $code:literal, $meaning:literal;)+) => {
        /// A stable issue code. It is written (Display, JSON) as its code
        /// string, e.g. `E101`, which never changes meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum IssueCode {
            $(
                #[doc = concat!("`", $code, "`: ", $meaning, ".")]
                $variant,
            )+
        }

        impl IssueCode {
            /// Every code, in code order.
            pub const ALL: &'static [IssueCode] = &[$(IssueCode::$variant),+];

            /// The stable code string, e.g. `E101`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(IssueCode::$variant => $code,)+
                }
            }

            /// What the code means, for documentation and `--help`.
            pub const fn description(self) -> &'static str {
                match self {
                    $(IssueCode::$variant => $meaning,)+
                }
            }
        }
    };
}

issue_codes! {
    Malformed = "E100",
        "a file is not well-formed for its type (syntax, type, unknown field or CSV column, not UTF-8)";
    DuplicateId = "E101", "duplicate id";
    UnknownReference = "E102", "unknown reference (node, SKU, service or order id)";
    NegativeQuantity = "E103", "negative quantity (or zero units ordered)";
    FractionalQuantity = "E104", "quantity is not a whole number";
    ReservedAboveOnHand = "E105", "reserved above on hand";
    UnknownZip = "E106", "ZIP code does not exist";
    MissingCoordinates = "E107", "missing coordinates (neither lat/lon nor ZIP)";
    NotFinite = "E108", "number is not finite";
    OrderWithoutLines = "E109", "order has no lines";
    BadDate = "E110", "unparseable date, time or weekday";
    PolicyOutOfRange = "E111", "policy value out of range (or missing)";
    UnknownListValue = "E112",
        "unknown value of a closed list (kind, capability, rule, service level)";
    BadZoneTable = "E113", "rate or transit table malformed (needs 8 non-negative zone values)";
    PickupNodeCannotHandOut = "E114", "pickup order at a node that cannot hand out orders";
    CoordinatesOutOfRange = "E115", "coordinates out of range";
    NegativeAmount = "E116", "negative cost or weight";
    AboveLimit = "E117",
        "above a stated limit (units, days, amounts, lines per order; see `input::validate::limits`)";
    MissingTable = "E118", "a scenario folder has order_lines.csv without orders.csv, or the reverse";
    UnknownModel = "E119", "unknown cost model (neither a preset nor a TOML file)";
    BadSetting = "E120", "invalid run setting or command-line value";
    Io = "E121", "a file cannot be read or written";
    UnusableOutDir = "E122",
        "the output folder cannot take a plan (a file, a link, foreign files, a file in its path)";
    UnknownCalendar = "E123", "a service names a carrier calendar that is neither built in nor in the scenario";
    UnknownTimeZone = "E124", "unknown time zone (not an IANA name such as America/Los_Angeles)";
    NodeZoneWithoutScenarioZone = "E125",
        "a node has a time zone but the scenario does not say which zone its times are written in";
    TransferToNonPickup = "E126", "a transfer lane goes to a node without the `pickup` capability";
    BadTransferLane = "E127",
        "a transfer lane that cannot be priced (from a node to itself, in an explicit-cost scenario, or a cost the lane and the cost model both leave out)";
    UnknownChannel = "E128", "an order or a cart names a sales channel the scenario does not define";
    BadChannelRule = "E129",
        "a channel's allocation rule is out of range (buffer units, network share, node kinds or nodes)";
    NotQuotable = "E130",
        "a cart cannot be quoted (the scenario gives costs explicitly, without services or dates)";
    ServiceNotForOrder = "E131",
        "an order asks for a service it cannot ship by (a pickup order, or a built-in service)";
    InsufficientStock = "E140", "a ledger request asks for more units than are free (the answer says how many are)";
    UnknownClaim = "E141", "a release, commit or assignment names a reservation or hold that was never made";
    ClaimNotActive = "E142", "a reservation or hold is no longer active (commit after release, release after commit)";
    HoldExpired = "E143", "a hold has expired";
    IdempotencyConflict = "E144", "a request id was already used for a request with different content";
    BadLedgerQuantity = "E145",
        "a ledger quantity is zero, negative, not a whole number or above the limit";
    ClaimMismatch = "E146",
        "a request does not fit the reservation (a hold committed, units not assigned to a node, an assignment that does not cover the order)";
    LedgerStore = "E147",
        "the ledger's file or database cannot be opened or written, is not a ledger of this schema version (a directory, another file), cannot be reached, or its write lock or a connection was not free within the store timeout";
    LedgerDiverged = "E148", "the ledger's stored state differs from the fold of its event history";
    LedgerExists = "E149", "`ledger init` on a file or database that already holds a domopt ledger";
    AvailabilityChanged = "E150",
        "a wave's commit finds that the ledger's availability of its SKUs changed after the wave read it";
    BadLedgerUrl = "E151",
        "a ledger URL is malformed or names a back end this domopt does not have (sqlite:PATH, a path, postgres://...)";
    ServerFailure = "E152",
        "the server failed while answering: a solve that made no plan, or an answer it could not write";
    DuplicateReturn = "E160",
        "a returns file gives a return id twice, or a node's capacity or a (node, SKU) demand row twice";
    UnknownReturnReference = "E161",
        "a returns file names a node or SKU the scenario does not define";
    BadReturnQuantity = "E162",
        "a return's quantity (or a capacity or demand) is zero where units are needed, negative, not a whole number or above the limit";
    UnknownCondition = "E163", "a return's condition is not new, open_box, damaged or unknown";
    NotReturnable = "E164",
        "a return names a SKU that is not returnable, or that has no unit price to value it by";
    BadReturnLocation = "E165",
        "a return's customer location: an unknown ZIP, neither ZIP nor lat/lon, or coordinates off Earth";
    NodeCannotTakeReturns = "E166",
        "a capacity for a node without the `returns` (or, for inspection, `inspection`) capability, or a return no node can receive";
    BadReturnsCost = "E167",
        "a returns cost or value is negative, not finite or above the limit, a share outside [0, 1], or a zone table without 8 values";
    BadInspectionOutcomes = "E168",
        "the inspection outcome shares are negative or do not add up to 1";
    ReturnsSolverFailed = "E169",
        "the returns optimisation failed (the LP solver stopped without an optimum or returned a fractional flow)";
    BadEvent = "E170",
        "a re-plan event is out of range (a quantity, a window that ends before it starts or lasts too long, stock that would go negative)";
    UnknownShipment = "E171", "a re-plan names a shipment (order and node) that the plan does not have";
    EventOnFixedShipment = "E172",
        "a re-plan event would move or cancel a shipped or picked package";
    OverlappingEvents = "E173", "two outages of one node overlap";
    EventInThePast = "E174", "a re-plan event ended before the plan's wave time";
    UnknownExplainedOrder = "E180", "the order to explain is not in the scenario";
    UnknownWhatIfNode = "E181",
        "a what-if names a node the scenario does not have, or a request asks over 16 what-ifs";
    PlanNotOfScenario = "E182",
        "a plan's package is not one the scenario allows (a plan of another scenario: its node, service, SKUs or units)";
    PlanFailsCheck = "E183", "the plan to explain breaks the scenario's rules: the independent checker refuses it";
    UnknownKnob = "E190", "a tune's grid names a knob that is not a policy knob or the candidate limit";
    BadGrid = "E191",
        "a tune's grid is empty, has a knob without values, a value out of range, a bad range, or a knob twice";
    TooManyPoints = "E192", "a tune's grid has over 10,000 points and `--yes` was not given";
    BadTarget = "E193", "a tune's target or objective names an unknown KPI or is not KPI>=X or KPI<=X";
    BadArrivalTime = "E194",
        "an arrival file's row is unreadable or its timestamp is not `YYYY-MM-DDTHH:MM[:SS]`";
    UnsortedArrivals = "E195", "an arrival file's timestamps are not in ascending order";
    UnknownArrivalOrder = "E196",
        "an arrival file names an order the scenario does not have, names one twice, or leaves one out";
    BadSimulation = "E197",
        "a simulation setting is out of range (wave length or size, a rate, the profile, the start, the strategies)";
    SkuWithoutStock = "W201", "SKU has no stock anywhere";
    NodeWithoutService = "W202", "node offers no carrier service";
    LineWithoutStock = "W203", "order line's SKU has no stock anywhere: it will be unfilled";
}

impl std::fmt::Display for IssueCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialised as its code string, so JSON reports read `"code": "E101"`.
impl Serialize for IssueCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Compares with a code string, so that `issue.code == "E101"` reads as it did
/// when codes were strings.
impl PartialEq<&str> for IssueCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for IssueCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_code_order() {
        let strings: Vec<&str> = IssueCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = strings.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(strings, sorted);
    }

    #[test]
    fn a_code_serialises_and_displays_as_its_string() {
        let c = IssueCode::DuplicateId;
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"E101\"");
        assert_eq!(c.to_string(), "E101");
        assert!(c == "E101");
    }

    #[test]
    fn the_format_documentation_lists_exactly_these_codes() {
        let doc = include_str!("../../docs/format.md");
        let documented: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| "))
            .filter_map(|l| l.split(" |").next())
            .filter(|c| c.len() == 4 && (c.starts_with('E') || c.starts_with('W')))
            .collect();
        let mut documented_sorted = documented.clone();
        documented_sorted.sort_unstable();
        let ours: Vec<&str> = IssueCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(documented_sorted, ours, "docs/format.md's code tables");
    }
}
