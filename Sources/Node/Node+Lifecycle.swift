import Index
import JSON

extension Node {
    /// Attaches the policy whose `ism_template` matches a new index, if any.
    func attachPolicyOnCreate(_ svc: IndexService) {}
}
