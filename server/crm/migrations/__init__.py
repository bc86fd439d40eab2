"""The CRM's migration chain (`crm`), applied after the runtime's own when the CRM is served."""
