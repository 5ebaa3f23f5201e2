"""基础数据 (系统维护配置): enterprises, equipment, enforcers and training, departments, regions,
the audit log and the 批量导入 page; pages, API and the API schemas."""
