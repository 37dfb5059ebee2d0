// Command pod-security evaluates the pod templates of Kubernetes manifests against the Pod Security
// Standards "restricted" level, with the same checks the pod-security admission controller runs.
//
// It reads multi-document YAML on stdin (the output of `kustomize build`) and prints a JSON array of
// violations, one per failed check of each workload: [{kind,name,forbiddenReason,forbiddenDetail}].
// Exit 0: no violation (`[]`); 1: violations; 2: input it cannot read.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// Violation is one failed check of one workload's pod template.
type Violation struct {
	Kind            string `json:"kind"`
	Name            string `json:"name"`
	ForbiddenReason string `json:"forbiddenReason"`
	ForbiddenDetail string `json:"forbiddenDetail"`
}

// pod is what the evaluator needs of a workload: the pod's metadata (annotations matter to some
// checks) and its spec.
type pod struct {
	meta *metav1.ObjectMeta
	spec *corev1.PodSpec
}

// templateOf decodes a workload of type T and hands back the pod template `get` finds in it.
func templateOf[T any](get func(*T) *corev1.PodTemplateSpec) func([]byte) (pod, error) {
	return func(doc []byte) (pod, error) {
		object := new(T)
		if err := yaml.Unmarshal(doc, object); err != nil {
			return pod{}, err
		}
		template := get(object)
		return pod{&template.ObjectMeta, &template.Spec}, nil
	}
}

// workloads are the kinds that run pods, each with the way to its pod template.
var workloads = map[string]func([]byte) (pod, error){
	"Pod": templateOf(func(o *corev1.Pod) *corev1.PodTemplateSpec {
		return &corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec}
	}),
	"Deployment":  templateOf(func(o *appsv1.Deployment) *corev1.PodTemplateSpec { return &o.Spec.Template }),
	"StatefulSet": templateOf(func(o *appsv1.StatefulSet) *corev1.PodTemplateSpec { return &o.Spec.Template }),
	"DaemonSet":   templateOf(func(o *appsv1.DaemonSet) *corev1.PodTemplateSpec { return &o.Spec.Template }),
	"ReplicaSet":  templateOf(func(o *appsv1.ReplicaSet) *corev1.PodTemplateSpec { return &o.Spec.Template }),
	"ReplicationController": templateOf(func(o *corev1.ReplicationController) *corev1.PodTemplateSpec {
		if o.Spec.Template == nil {
			return &corev1.PodTemplateSpec{}
		}
		return o.Spec.Template
	}),
	"Job": templateOf(func(o *batchv1.Job) *corev1.PodTemplateSpec { return &o.Spec.Template }),
	"CronJob": templateOf(func(o *batchv1.CronJob) *corev1.PodTemplateSpec {
		return &o.Spec.JobTemplate.Spec.Template
	}),
}

// evaluate returns the violations of every workload in the YAML stream.
func evaluate(in io.Reader, evaluator policy.Evaluator) ([]Violation, error) {
	level := api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	violations := []Violation{}
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return violations, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		var head metav1.PartialObjectMetadata
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		podOf, ok := workloads[head.Kind]
		if !ok {
			continue
		}
		p, err := podOf(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d (%s %s): %w", n, head.Kind, head.Name, err)
		}
		for _, result := range evaluator.EvaluatePod(level, p.meta, p.spec) {
			if !result.Allowed {
				violations = append(violations, Violation{head.Kind, head.Name, result.ForbiddenReason, result.ForbiddenDetail})
			}
		}
	}
}

func main() {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pod-security:", err)
		os.Exit(2)
	}
	violations, err := evaluate(os.Stdin, evaluator)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pod-security:", err)
		os.Exit(2)
	}
	out, _ := json.Marshal(violations)
	fmt.Println(string(out))
	if len(violations) > 0 {
		os.Exit(1)
	}
}
