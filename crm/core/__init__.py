"""What the feature packages share: access rules, audit, mixins, forms, pagination, validators."""
