//! Which resource types are workloads, for both front ends.

use super::WorkloadKind;

/// The workload kind of a resource type (azurerm or ARM), and whether SPEC's AZ201 expects it to
/// carry an identity because it calls other Azure services.
pub fn workload_kind(resource_type: &str, arm_kind: Option<&str>) -> Option<(WorkloadKind, bool)> {
    use WorkloadKind::*;
    let kind = match resource_type.to_ascii_lowercase().as_str() {
        "azurerm_linux_web_app"
        | "azurerm_windows_web_app"
        | "azurerm_app_service"
        | "azurerm_linux_web_app_slot"
        | "azurerm_windows_web_app_slot"
        | "azurerm_app_service_slot" => WebApp,
        "azurerm_linux_function_app"
        | "azurerm_windows_function_app"
        | "azurerm_function_app"
        | "azurerm_linux_function_app_slot"
        | "azurerm_windows_function_app_slot"
        | "azurerm_function_app_slot"
        | "azurerm_function_app_flex_consumption" => FunctionApp,
        "azurerm_logic_app_standard"
        | "azurerm_logic_app_workflow"
        | "microsoft.logic/workflows" => LogicApp,
        "microsoft.web/sites" | "microsoft.web/sites/slots" => {
            let kind = arm_kind.unwrap_or("").to_ascii_lowercase();
            if kind.contains("workflowapp") {
                LogicApp
            } else if kind.contains("functionapp") {
                FunctionApp
            } else {
                WebApp
            }
        }
        "azurerm_container_app" | "microsoft.app/containerapps" => ContainerApp,
        "azurerm_container_app_job" | "microsoft.app/jobs" => ContainerAppJob,
        "azurerm_container_group" | "microsoft.containerinstance/containergroups" => ContainerGroup,
        "azurerm_kubernetes_cluster" | "microsoft.containerservice/managedclusters" => Kubernetes,
        "azurerm_data_factory" | "microsoft.datafactory/factories" => DataFactory,
        "azurerm_api_management" | "microsoft.apimanagement/service" => ApiManagement,
        "azurerm_automation_account" | "microsoft.automation/automationaccounts" => Automation,
        "azurerm_spring_cloud_app" | "microsoft.appplatform/spring/apps" => SpringApp,
        "azurerm_synapse_workspace" | "microsoft.synapse/workspaces" => Synapse,
        "azurerm_linux_virtual_machine"
        | "azurerm_windows_virtual_machine"
        | "azurerm_virtual_machine"
        | "azurerm_linux_virtual_machine_scale_set"
        | "azurerm_windows_virtual_machine_scale_set"
        | "azurerm_orchestrated_virtual_machine_scale_set"
        | "microsoft.compute/virtualmachines"
        | "microsoft.compute/virtualmachinescalesets" => {
            return Some((VirtualMachine, false));
        }
        _ => return None,
    };
    Some((kind, true))
}

impl WorkloadKind {
    pub fn describe(self) -> &'static str {
        match self {
            WorkloadKind::WebApp => "web app",
            WorkloadKind::FunctionApp => "function app",
            WorkloadKind::LogicApp => "logic app",
            WorkloadKind::ContainerApp => "container app",
            WorkloadKind::ContainerAppJob => "container app job",
            WorkloadKind::ContainerGroup => "container group",
            WorkloadKind::Kubernetes => "AKS cluster",
            WorkloadKind::DataFactory => "data factory",
            WorkloadKind::ApiManagement => "API Management service",
            WorkloadKind::Automation => "automation account",
            WorkloadKind::SpringApp => "Spring app",
            WorkloadKind::Synapse => "Synapse workspace",
            WorkloadKind::VirtualMachine => "virtual machine",
            WorkloadKind::Other => "workload",
        }
    }
}
